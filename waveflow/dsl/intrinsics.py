"""Builders for Step Functions intrinsic functions: ``Format("Hello {}", Ref("$.name"))``.

Each function returns an ``Intrinsic`` that compiles to ``States.<Name>(...)``; arguments may be literals,
``Ref`` paths or other intrinsics (nesting is allowed by ASL).
"""
from .data import Intrinsic


def _intrinsic(name: str):
    def build(*args) -> Intrinsic:
        return Intrinsic(f"States.{name}", tuple(args))
    build.__name__ = name
    build.__doc__ = f"``States.{name}(...)``."
    return build


NAMES = ("Format", "StringToJson", "JsonToString", "Array", "ArrayPartition", "ArrayContains", "ArrayRange",
         "ArrayGetItem", "ArrayLength", "ArrayUnique", "Base64Encode", "Base64Decode", "Hash", "JsonMerge",
         "MathRandom", "MathAdd", "StringSplit", "UUID")

Format = _intrinsic("Format")
StringToJson = _intrinsic("StringToJson")
JsonToString = _intrinsic("JsonToString")
Array = _intrinsic("Array")
ArrayPartition = _intrinsic("ArrayPartition")
ArrayContains = _intrinsic("ArrayContains")
ArrayRange = _intrinsic("ArrayRange")
ArrayGetItem = _intrinsic("ArrayGetItem")
ArrayLength = _intrinsic("ArrayLength")
ArrayUnique = _intrinsic("ArrayUnique")
Base64Encode = _intrinsic("Base64Encode")
Base64Decode = _intrinsic("Base64Decode")
Hash = _intrinsic("Hash")
JsonMerge = _intrinsic("JsonMerge")
MathRandom = _intrinsic("MathRandom")
MathAdd = _intrinsic("MathAdd")
StringSplit = _intrinsic("StringSplit")
UUID = _intrinsic("UUID")
