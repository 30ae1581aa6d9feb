"""Property-based requests from the OpenAPI spec, valid and invalid, as a signed-in coordinator and as nobody:
the service answers every one without a server error."""

from __future__ import annotations

import pytest
import schemathesis
from helpers.platform import build
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

EXAMPLES = 15


@pytest.mark.slow
def test_no_request_from_the_spec_gives_a_server_error(client):
    p = build(client, uploads=("alpha", "beta"))
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", client.app)
    failures, seen = [], []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)

            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))  # fmt: skip
            @given(case=strategy)
            def check(case):
                # Most paths name the one cluster that exists, so requests get past the lookup.
                if "slug" in (case.path_parameters or {}) and hash(str(case.path_parameters)) % 2:
                    case.path_parameters["slug"] = p.slug
                headers = dict(case.headers or {}) | p.as_("coordinator")
                response = case.call(headers=headers)
                seen.append(response.status_code)
                if response.status_code >= 500:
                    failures.append((case.operation.label, mode.value, response.status_code, response.text[:200],
                                     case.as_curl_command()))  # fmt: skip

            try:
                check()
            except Unsatisfiable:  # an operation with nothing to make invalid (no parameters, no body)
                assert mode is GenerationMode.NEGATIVE
    assert not failures, failures[:5]
    # The requests got past authentication and lookups to the handlers, not only to 401s and 404s.
    assert {200, 201, 422}.issubset(seen), sorted(set(seen))
