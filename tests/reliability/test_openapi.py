"""web/openapi.json against the real app: schemathesis generates requests from the description
(its examples, boundary values and random data, valid and invalid) and every answer must be
documented, JSON, schema-conformant and never a server error."""

import json
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

import web
from web import create_app

SPEC = Path(web.__file__).parent / "openapi.json"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def app(corpus_index):
    # TESTING: an exception reaches the test with its traceback instead of becoming a bare 500
    return create_app({"RASM_INDEX": str(corpus_index.path), "TESTING": True})


# Loaded when collected (schemathesis's lazy from_fixture does not run under pytest 9); the app,
# which needs the corpus index fixture, is given to each call.
schema = schemathesis.openapi.from_path(SPEC)


@schema.parametrize()
@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
def test_api_answers_conform_to_openapi(app, case):
    response = case.call(app=app)
    case.validate_response(response, checks=CHECKS)


def test_description_covers_every_json_route(app):
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    documented = {path.replace("{id}", "<id:doc_id>") for path in spec["paths"]}
    routes = {rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith(("/api/", "/healthz"))}
    assert documented == routes


def test_described_examples_are_real(app):
    """The examples in the description find something in the bundled corpus."""
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    client = app.test_client()
    search = spec["paths"]["/api/search"]["get"]["parameters"]
    for example in next(p for p in search if p["name"] == "q")["examples"].values():
        r = client.get("/api/search", query_string={"q": example["value"]})
        assert r.status_code == 200 and r.get_json()["total"] > 0, example
    article = spec["paths"]["/api/article/{id}"]["get"]["parameters"][0]
    for example in article["examples"].values():
        r = client.get("/api/article/" + example["value"].replace("#", "%23"))
        assert r.status_code == 200 and r.get_json()["id"] == example["value"]
