"""The OpenAPI schema: generated without warnings, valid, served with a local reference page."""

from __future__ import annotations

import re

import pytest
import yaml
from django.core.management import call_command


def test_spectacular_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    # Raises SystemExit / SchemaGenerationError on any warning or an invalid schema.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    paths = set(schema["paths"])
    assert "/api/v1/cells/{duty_id}/{role_id}/" in paths
    assert "/api/v1/people/bulk/" in paths
    assert schema["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"


@pytest.mark.django_db
def test_the_schema_and_reference_page_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200 and schema.json()["info"]["title"] == "orgmap API"
    page = client.get("/api/docs/")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(source.startswith("/") for source in sources), sources
    assert "/static/drf_spectacular_sidecar/" in page.text
