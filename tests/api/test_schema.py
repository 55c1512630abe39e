"""The OpenAPI schema validates without warnings, and the docs page works offline."""

import re

from django.contrib.staticfiles import finders
from django.core.management import call_command


def test_the_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert "/api/v1/export/results/" in text
    assert "tokenAuth" in text


def test_the_schema_documents_the_export_columns_in_order(client, db):
    from assessments.api.export import COLUMN_NAMES

    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    description = schema["paths"]["/api/v1/export/results/"]["get"]["description"]
    positions = [description.index(f"`{name}`") for name in COLUMN_NAMES]
    assert positions == sorted(positions)


def test_every_operation_documents_the_error_shape(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "Error" in schema["components"]["schemas"]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            assert "400" in operation["responses"], (method, path)
            # A database too busy to take the request answers 503 in the same shape.
            assert "503" in operation["responses"], (method, path)


def test_the_schema_and_docs_answer_200(client, db):
    assert client.get("/api/schema/").status_code == 200
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger-ui" in response.content


def test_the_docs_page_loads_nothing_from_another_site(client, db):
    page = client.get("/api/docs/").content.decode()
    assert not re.search(r"https?://", page)
    script = client.get("/api/docs/", {"script": ""}).content.decode()
    assert not re.search(r"https?://", script)
    assets = re.findall(r'(?:src|href)="/static/([^"]+)"', page)
    assert len(assets) >= 3
    for asset in assets:
        assert finders.find(asset), f"{asset} is not served locally"
