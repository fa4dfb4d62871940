#!/usr/bin/env python3
"""Check the OpenAPI 3.1 document with openapi-spec-validator, and every docs/examples/*.json body
against the document's ReportBody schema, so the examples and the API description cannot drift apart.

Usage: python3 scripts/check_openapi.py target/debug/candour
"""
import json
import pathlib
import subprocess
import sys

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

root = pathlib.Path(__file__).resolve().parent.parent
binary = sys.argv[1] if len(sys.argv) > 1 else str(root / "target/debug/candour")
doc = json.loads(subprocess.run([binary, "openapi"], check=True, capture_output=True, text=True).stdout)

validate(doc)  # raises with the failing path on an invalid document
assert doc["openapi"] == "3.1.0", doc["openapi"]

schema = {"$ref": "#/components/schemas/ReportBody", "components": doc["components"]}
validator = Draft202012Validator(schema)
examples = sorted((root / "docs/examples").glob("*.json"))
assert len(examples) >= 5, "expected one example per report kind"
failed = 0
for path in examples:
    errors = list(validator.iter_errors(json.loads(path.read_text())))
    for e in errors:
        print(f"{path.name}: {'/'.join(map(str, e.absolute_path))}: {e.message}")
    failed += len(errors)
# A body the API would refuse must fail the schema too (the check can fail).
bad = json.loads(examples[0].read_text())
bad["kind"] = "printer_jam"
assert list(validator.iter_errors(bad)), "schema accepted an unknown kind"
if failed:
    sys.exit(f"openapi: {failed} example error(s)")
print(f"openapi: document valid (OpenAPI {doc['openapi']}, {len(doc['paths'])} paths); {len(examples)} examples match ReportBody")
