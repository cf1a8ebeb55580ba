"""What /openapi.json tells a client beyond shapes: each operation's real error responses, the rules
the server enforces, and what a path's methods are (405 and OPTIONS carry a full `Allow`)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from server.api_examples import EXAMPLES
from server.app import APIS
from server.paging import MAX_ID


@pytest.fixture
async def document(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()


def responses(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    return document["paths"][path][method]["responses"]


async def test_each_operation_lists_its_error_responses_with_the_error_schema(
    document: dict[str, Any],
) -> None:
    expected = {
        ("post", "/auth/register"): {400, 409, 413, 422, 503},
        ("post", "/auth/login"): {400, 401, 413, 422, 429, 503},
        ("get", "/auth/me"): {401, 422, 503},
        ("get", "/quizzes"): {401, 422, 503},
        ("put", "/quizzes/{id}"): {400, 401, 403, 404, 413, 422, 503},
        ("post", "/quizzes/import"): {400, 401, 413, 422, 503},
        ("post", "/games"): {400, 401, 404, 413, 422, 503},
        ("get", "/games/{id}"): {401, 403, 404, 422, 503},
        ("get", "/users/{id}/progress"): {404, 422, 503},
    }
    for (method, path), statuses in expected.items():
        listed = responses(document, method, path)
        assert {int(code) for code in listed if code[0] in "45"} == statuses, (method, path)
        for status in statuses:
            body = listed[str(status)]["content"]["application/json"]
            assert body["schema"] == {"$ref": "#/components/schemas/Error"}
            assert body["example"]["error"]["code"]
    assert "Retry-After" in responses(document, "post", "/auth/login")["429"]["headers"]
    assert "Retry-After" in responses(document, "get", "/quizzes")["503"]["headers"]
    health = responses(document, "get", "/health")["503"]["content"]["application/json"]["schema"]
    assert health == {"$ref": "#/components/schemas/Health"}


async def test_the_document_states_the_rules_the_server_enforces(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    quiz_id = schemas["CreateGame"]["properties"]["quiz_id"]
    assert (quiz_id["type"], quiz_id["minimum"], quiz_id["maximum"]) == ("integer", 1, MAX_ID)
    path_id = document["paths"]["/quizzes/{id}"]["get"]["parameters"][0]["schema"]
    assert path_id == {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    single = schemas["SingleQuestion"]["properties"]["options"]
    assert single["uniqueItems"] and single["minContains"] == single["maxContains"] == 1
    assert schemas["MultipleQuestion"]["properties"]["options"]["minContains"] == 1
    slider = schemas["SliderQuestion"]["properties"]
    assert slider["min"]["minimum"] == -1e9 and slider["max"]["maximum"] == 1e9
    assert slider["step"]["exclusiveMinimum"] == 0 and slider["tolerance"]["minimum"] == 0
    assert schemas["PollQuestion"]["properties"]["points"]["enum"] == [0]
    title = schemas["QuizDocument"]["properties"]["title"]
    assert (title["minLength"], title["maxLength"]) == (1, 200) and "pattern" in title
    register = schemas["RegisterRequest"]["properties"]
    assert (register["username"]["minLength"], register["username"]["maxLength"]) == (3, 32)


async def test_import_documents_a_quiz_object_or_a_csv_text(document: dict[str, Any]) -> None:
    content = document["paths"]["/quizzes/import"]["post"]["requestBody"]["content"]
    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/QuizDocument"}
    assert content["text/csv"]["schema"]["type"] == "string"


async def test_every_operation_has_request_and_response_examples(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]

    def has_example(schema: dict[str, Any]) -> bool:
        if "$ref" in schema:
            schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
        return bool(schema.get("examples") or schema.get("example"))

    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            for media, body in operation.get("requestBody", {}).get("content", {}).items():
                assert has_example(body["schema"]) or "example" in body, (method, path, media)
            for status, response in operation["responses"].items():
                for media, body in response.get("content", {}).items():
                    if media == "application/json":
                        assert has_example(body["schema"]) or "example" in body, (method, path, status)


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        ("/games", {"GET", "HEAD", "POST", "OPTIONS"}),
        ("/quizzes/1", {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"}),
        ("/auth/login", {"POST", "OPTIONS"}),
        ("/games/1/export", {"GET", "HEAD", "OPTIONS"}),
    ],
)
async def test_405_and_options_list_every_method_of_the_path(
    client: httpx.AsyncClient, path: str, methods: set[str]
) -> None:
    options = await client.options(path)
    assert options.status_code == 204
    assert {m.strip() for m in options.headers["Allow"].split(",")} == methods
    refused = await client.request("PATCH", path)
    assert refused.status_code == 405
    assert refused.json()["error"]["code"] == "method_not_allowed"
    assert {m.strip() for m in refused.headers["Allow"].split(",")} >= methods - {"OPTIONS"}


async def test_unknown_query_parameters_are_refused(client: httpx.AsyncClient) -> None:
    response = await client.get("/quizzes?limt=5")
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == [{"path": "limt", "message": "unknown parameter"}]
    assert (await client.get("/health?verbose=1")).status_code == 422
    assert (await client.get("/quizzes?limit=5&q=x")).status_code == 200


def test_every_example_is_valid_for_its_model() -> None:
    models = {
        model.__name__: model
        for group in APIS
        for op in group.operations
        for model in (op.body, op.response, *op.raw_body.values())
        if isinstance(model, type) and issubclass(model, BaseModel)
    }
    assert set(EXAMPLES) <= set(models)
    for name, example in EXAMPLES.items():
        models[name].model_validate(example)  # raises, naming the field, when an example drifts
