"""Distributed Map ``ItemReader``: items read from S3 through the runtime's boto3 session.

Supported: ``s3:getObject`` with ReaderConfig InputType JSON, JSONL or CSV (header from the first line or
``CSVHeaders``), and ``s3:listObjectsV2`` (one item per object). ``MaxItems`` caps the list.
"""
from __future__ import annotations

import csv
import io
import json

from ..errors import ITEM_READER_FAILED, StatesError


def _json(text, config):
    items = json.loads(text)
    if not isinstance(items, list):
        raise StatesError(ITEM_READER_FAILED, "Attempting to map over non-iterable node.")
    return items


def _jsonl(text, config):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _csv(text, config):
    rows = list(csv.reader(io.StringIO(text), delimiter=config.get("CSVDelimiter", "COMMA") == "COMMA" and ","
                           or {"PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}[config["CSVDelimiter"]]))
    if config.get("CSVHeaderLocation", "FIRST_ROW") == "GIVEN":
        headers = config["CSVHeaders"]
    else:
        headers, rows = (rows[0], rows[1:]) if rows else ([], [])
    if len(set(headers)) != len(headers):
        raise StatesError(ITEM_READER_FAILED, "CSV headers cannot contain duplicates.")
    return [dict(zip(headers, row)) for row in rows]


_INPUT_TYPES = {"JSON": _json, "JSONL": _jsonl, "CSV": _csv}


def read_items(runtime, resource: str, params: dict, config: dict) -> list:
    """Fetch and parse the items; failures are States.ItemReaderFailed naming the object."""
    from botocore.exceptions import ClientError
    s3 = runtime.client("s3")
    try:
        if resource.endswith("s3:listObjectsV2"):
            items = []
            for page in s3.get_paginator("list_objects_v2").paginate(**params):
                items.extend({"Key": obj["Key"], "Size": obj["Size"], "ETag": obj["ETag"],
                              "LastModified": obj["LastModified"].isoformat(),
                              "StorageClass": obj.get("StorageClass", "STANDARD")}
                             for obj in page.get("Contents", ()))
        else:
            body = s3.get_object(**params)["Body"].read().decode("utf-8")
            input_type = config.get("InputType", "JSON")
            if input_type not in _INPUT_TYPES:
                raise StatesError(ITEM_READER_FAILED, f"ReaderConfig InputType '{input_type}' is not supported; "
                                                      f"use one of {', '.join(_INPUT_TYPES)}.")
            items = _INPUT_TYPES[input_type](body, config)
    except ClientError as exc:
        error = exc.response["Error"]
        raise StatesError(ITEM_READER_FAILED, f"S3 {error.get('Code')}: {error.get('Message')} "
                                              f"(Bucket {params.get('Bucket')!r}, Key {params.get('Key')!r})") from None
    except ValueError as exc:
        raise StatesError(ITEM_READER_FAILED, f"The object s3://{params.get('Bucket')}/{params.get('Key')} could "
                                              f"not be parsed: {exc}") from None
    max_items = config.get("MaxItems")
    return items[:max_items] if max_items else items
