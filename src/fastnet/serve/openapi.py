"""GET /openapi.json: the API described as OpenAPI 3, for clients and tools (Swagger UI...)."""

__all__ = ["describe"]


def _json(schema):
    return {"application/json": {"schema": schema}}


_FILE = {"type": "string", "format": "binary"}
_ERROR = {"description": "the request was refused; `error` says why",
          "content": _json({"type": "object", "properties": {"error": {"type": "string"}}})}
_PREDICTIONS = {"type": "object", "properties": {"predictions": {"type": "array", "items": {
    "type": "object", "properties": {
        "class": {"type": "string"},
        "probabilities": {"type": "array", "items": {"type": "number"}},
        "top": {"type": "array", "items": {"type": "object"}},
        "value": {"description": "a regression model's output"}}}}}}


def describe(model):
    refused = {code: _ERROR for code in ("400", "413", "415", "422", "503")}
    ok = {"description": "one prediction per row", "content": _json(_PREDICTIONS)}
    rows = {"type": "array", "minItems": 1,
            "items": {"type": "array", "description": f"{model.input_size} numbers, or nested "
                      f"lists shaped {list(model.input_shape)}"}}
    get = {"responses": {"200": {"description": "JSON"}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": f"fastnet serve: {model.kind}", "version": "1"},
        "paths": {
            "/predict": {"post": {
                "summary": "predict rows of features",
                "requestBody": {"required": True, "content": _json({
                    "type": "object", "required": ["instances"],
                    "properties": {"instances": rows}})},
                "responses": {"200": ok, **refused}}},
            "/predict/image": {"post": {
                "summary": "predict the digit in one PNG or JPEG (the raw body, or the "
                           "one file field of a form)",
                "requestBody": {"required": True, "content": {
                    "image/png": {"schema": _FILE}, "image/jpeg": {"schema": _FILE},
                    "multipart/form-data": {"schema": {
                        "type": "object", "description": "one file field, of any name",
                        "properties": {"image": _FILE}}}}},
                "responses": {"200": ok, **refused}}},
            "/health": {"get": get}, "/model": {"get": get},
            "/": {"get": {"summary": "the drawing page",
                          "responses": {"200": {"description": "HTML"}}}},
        },
    }
