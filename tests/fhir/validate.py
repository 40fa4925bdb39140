#!/usr/bin/env python3
"""The second FHIR R4 validator: fhir.resources 6.4.0 (pydantic models of R4 4.0.1: structure,
types and cardinality) over every resource tests/fhir/fhir.test.mjs fetched from the server and
wrote to DIR. A deliberately invalid resource must be rejected, so that a silent pass cannot hide
a validator that does not run.

Usage: validate.py DIR
"""
import json
import sys
from pathlib import Path

from fhir.resources import construct_fhir_element


def check(resource):
    construct_fhir_element(resource["resourceType"], resource)


def main():
    directory = Path(sys.argv[1])
    files = sorted(directory.glob("*.json"))
    if not files:
        sys.exit(f"error: no resources in {directory}; run tests/fhir/fhir.test.mjs first")
    try:
        check({"resourceType": "Questionnaire", "item": [{"linkId": "x"}]})  # item.type missing
    except Exception:
        pass
    else:
        sys.exit("error: fhir.resources accepted an invalid Questionnaire; the validator is not working")
    failed = 0
    for f in files:
        try:
            check(json.loads(f.read_text()))
            print(f"ok   {f.name}")
        except Exception as e:  # the validator's own error, printed whole
            failed += 1
            print(f"FAIL {f.name}: {e}")
    print(f"fhir.resources (R4 4.0.1): {len(files) - failed} valid, {failed} invalid")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
