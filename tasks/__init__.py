"""The Lambda tasks of waveflow: the code that ships to AWS Lambda and does the migration.

This package stands alone. It is copied into the Lambda deployment package with only its own requirements
(boto3, aws-lambda-powertools, jsonschema) and must never import ``waveflow`` or ``workflows``.
"""
