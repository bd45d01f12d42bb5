#!/usr/bin/env python3
"""validate_outputs.py LIM_SCHEMA SARIF_SCHEMA DIRECTORY

Validates every document the test suite made `lim` print (tests/cli_support.hpp
keeps a copy of each in DIRECTORY):
  *.json       against LIM_SCHEMA (docs/lim-check.schema.json, draft 2020-12),
  *.sarif      against SARIF_SCHEMA (the SARIF 2.1.0 JSON Schema),
  *.junit.xml  as JUnit XML: well-formed, <testsuites> of <testsuite> of <testcase>,
               with counts that agree with the test cases.
Exit status 0 when all are valid, 1 otherwise (each problem on stderr).
"""
import json
import pathlib
import sys
import xml.etree.ElementTree as ElementTree

import jsonschema


def validator(path):
    with open(path, encoding="utf-8") as handle:
        schema = json.load(handle)
    kind = jsonschema.validators.validator_for(schema)
    kind.check_schema(schema)
    return kind(schema, format_checker=kind.FORMAT_CHECKER)


def json_problems(check, path):
    with open(path, encoding="utf-8") as handle:
        document = json.load(handle)
    for error in sorted(check.iter_errors(document), key=lambda e: list(map(str, e.absolute_path))):
        where = "/".join(str(part) for part in error.absolute_path) or "(document)"
        yield f"{where}: {error.message[:500]}"


def junit_problems(path):
    root = ElementTree.parse(path).getroot()
    if root.tag != "testsuites":
        yield f"the root element is <{root.tag}>, not <testsuites>"
        return
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for suite in root:
        if suite.tag != "testsuite":
            yield f"<{suite.tag}> inside <testsuites>"
            continue
        cases = [case for case in suite if case.tag == "testcase"]
        counted = {
            "tests": len(cases),
            "failures": sum(1 for case in cases if case.find("failure") is not None),
            "errors": sum(1 for case in cases if case.find("error") is not None),
        }
        for name, value in counted.items():
            if int(suite.get(name, "-1")) != value:
                yield f"testsuite {suite.get('name')}: {name}={suite.get(name)} but {value} test cases say so"
            totals[name] += value
        for case in cases:
            for attribute in ("classname", "name", "time"):
                if case.get(attribute) is None:
                    yield f"a testcase of {suite.get('name')} has no {attribute}"
    for name, value in totals.items():
        if int(root.get(name, "-1")) != value:
            yield f"testsuites: {name}={root.get(name)} but the suites count {value}"


def main(argv):
    if len(argv) != 4:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    lim_schema, sarif_schema = validator(argv[1]), validator(argv[2])
    directory = pathlib.Path(argv[3])
    documents = sorted(directory.glob("*")) if directory.is_dir() else []
    counts = {"json": 0, "sarif": 0, "junit": 0}
    problems = 0
    for path in documents:
        if path.name.endswith(".junit.xml"):
            kind, found = "junit", list(junit_problems(path))
        elif path.suffix == ".sarif":
            kind, found = "sarif", list(json_problems(sarif_schema, path))
        elif path.suffix == ".json":
            kind, found = "json", list(json_problems(lim_schema, path))
        else:
            continue
        counts[kind] += 1
        for problem in found:
            print(f"{path.name}: {problem}", file=sys.stderr)
        problems += len(found)
    print(f"validated {counts['json']} JSON, {counts['sarif']} SARIF and {counts['junit']} JUnit documents "
          f"in {directory}: {problems} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
