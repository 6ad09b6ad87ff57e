#!/usr/bin/env python3
"""Writes Vigil's OpenAPI 3.1 document, the file `GET /openapi.json` serves.

    python3 scripts/openapi.py           # (re)write Sources/VigilServer/Resources/openapi.json
    python3 scripts/openapi.py --check   # exit 1 when that file differs from what this script writes

The document is built here rather than written by hand because the feature-buffer routes exist
twice (/v1/ml/polars and /v1/ml/features) and every operation shares the same error answers.
Field names, defaults, limits and messages follow the Swift request/response types in
Sources/VigilServer and reference/llamafarm-api.md. Python 3 standard library only.
"""
import json
import sys
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent.parent / "Sources" / "VigilServer" / "Resources" / "openapi.json"
VERSION = "0.1.0"  # VigilVersion.current

BACKENDS = ["isolation_forest", "ecod", "copod", "hbos", "one_class_svm", "mcd", "local_outlier_factor", "knn",
            "pca", "cblof", "loda", "suod", "autoencoder"]
FIELD_TYPES = ["numeric", "hash", "label", "onehot", "binary", "frequency"]
ROLLING_STATS = ["mean", "std", "min", "max"]
MODEL_NAME_PATTERN = "^[A-Za-z0-9_.-]{1,128}$"
BUFFER_PREFIXES = ["/v1/ml/polars", "/v1/ml/features"]
SEVERITIES = ["critical", "high", "medium", "low", "info"]


# MARK: schema helpers

def ref(name):
    """A reference to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties, required=(), closed=True, description=None):
    """An object schema; `closed` answers must carry no other key."""
    schema = {"type": "object", "properties": properties, "required": list(required)}
    if closed:
        schema["additionalProperties"] = False
    if description:
        schema["description"] = description
    return schema


def response_object(properties, description=None):
    """An answer object: every listed key is always present and no other is."""
    return obj(properties, required=list(properties), description=description)


def const(value):
    return {"type": "string", "const": value}


TRUE = {"type": "boolean", "const": True}


def list_of(item, description=None):
    """The `{"object": "list", "total", "data": [item]}` answer."""
    data = {"type": "array", "items": ref(item)}
    if description:
        data["description"] = description
    return response_object({"object": const("list"), "total": integer(0), "data": data})


def integer(minimum=None, maximum=None, default=None, description=None):
    schema = {"type": "integer"}
    if minimum is not None:
        schema["minimum"] = minimum
    if maximum is not None:
        schema["maximum"] = maximum
    if default is not None:
        schema["default"] = default
    if description:
        schema["description"] = description
    return schema


def nullable(schema):
    """`schema` or JSON null."""
    return {"anyOf": [schema, {"type": "null"}]}


def with_doc(schema, description, default=None):
    """`schema` with a description (and a default), without changing a shared component."""
    out = dict(schema) if "$ref" not in schema else {"allOf": [schema]}
    out["description"] = description
    if default is not None:
        out["default"] = default
    return out


def json_content(schema):
    return {"application/json": {"schema": schema}}


def ok(schema, description="Success.", links=None):
    """A 200 JSON answer; `links` (name → link object) say which operations can use its values."""
    answer = {"description": description, "content": json_content(schema)}
    if links:
        answer["links"] = links
    return {"200": answer}


def link(op_id, description, parameters=None, request_body=None):
    """An OpenAPI link to `op_id`, filling its parameters or body fields from runtime expressions."""
    out = {"operationId": op_id, "description": description}
    if parameters:
        out["parameters"] = parameters
    if request_body:
        out["requestBody"] = request_body
    return out


def errors(*codes):
    """The shared error answers for the given status codes (see components.responses)."""
    names = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 409: "Conflict", 413: "TooLarge",
             422: "ValidationFailed", 429: "TooManyRequests", 503: "Unavailable"}
    return {str(code): {"$ref": f"#/components/responses/{names[code]}"} for code in codes}


def body(schema_name, description=None):
    request = {"required": True, "content": json_content(ref(schema_name))}
    if description:
        request["description"] = description
    return request


def operation(op_id, tag, summary, responses, request=None, parameters=None, description=None):
    op = {"operationId": op_id, "tags": [tag], "summary": summary}
    if description:
        op["description"] = description
    if parameters:
        op["parameters"] = parameters
    if request:
        op["requestBody"] = request
    op["responses"] = responses
    return op


def path_parameter(name, description):
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string", "minLength": 1}}


def query_parameter(name, schema, description):
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


# MARK: components

def explain_properties():
    """The `explain` and `top_k` fields score, detect and stream requests share."""
    return {
        "explain": {"type": "boolean", "default": False,
                    "description": "Vigil's addition: add each row's per-feature contributions (`explanation`). "
                                   "Backends that cannot explain (all but isolation_forest, ecod, copod, hbos, "
                                   "autoencoder) answer 400 naming `explain`."},
        "top_k": integer(1, default=5, description="With `explain`: features named in `top_features` "
                                                   "(at most the model's feature count)."),
    }


def schemas():
    scalar = {"type": ["number", "string", "boolean", "null"]}
    field_spec = {
        "oneOf": [
            {"type": "string", "enum": FIELD_TYPES},
            obj({"type": {"type": "string", "enum": FIELD_TYPES},
                 "missing": nullable({"type": "string", "enum": ["zero", "mean", "error"]})},
                required=["type"], closed=False),
        ],
        "description": "An encoding type, or `{\"type\", \"missing\"}` with a policy for missing or null values "
                       "(`zero`, `mean`, `error`; absent = the type's own behaviour).",
    }
    stream_stats = {
        "model_id": {"type": "string"},
        "backend": ref("Backend"),
        "status": ref("StreamStatus"),
        "model_version": integer(0),
        "samples_collected": integer(0),
        "total_processed": integer(0),
        "samples_since_retrain": integer(0),
        "min_samples": integer(10),
        "retrain_interval": integer(10),
        "window_size": integer(50),
        "threshold": {"type": "number"},
        "is_ready": {"type": "boolean"},
    }
    buffer_stats = {
        "buffer_id": {"type": "string"},
        "size": integer(0, description="Rows held."),
        "window_size": integer(10, description="Rows kept at most."),
        "columns": {"type": "array", "items": {"type": "string"}, "description": "Every column, first appearance order."},
        "numeric_columns": {"type": "array", "items": {"type": "string"},
                            "description": "Columns holding only numbers (and nulls): the ones features are computed for."},
        "memory_bytes": integer(0, description="Estimated bytes held."),
        "append_count": integer(0, description="Records appended since creation or the last clear."),
        "avg_append_ms": {"type": "number", "minimum": 0, "description": "Mean append time per record, milliseconds."},
    }
    return {
        # Errors
        "Detail": obj({"detail": {"type": "string"}}, required=["detail"],
                      description="An error answer, FastAPI's `{\"detail\": \"...\"}`."),
        "ValidationIssue": obj({
            "type": {"type": "string", "description": "pydantic's error type, e.g. `missing`, `float_type`, `json_invalid`."},
            "loc": {"type": "array", "minItems": 1, "items": {"type": ["string", "integer"]},
                    "description": "Where: `body`, then field names and array positions."},
            "msg": {"type": "string"},
            "input": with_doc(scalar, "The offending value as sent (null when absent or not a plain value)."),
        }, required=["type", "loc", "msg", "input"]),
        "ValidationError": obj({"detail": {"type": "array", "items": ref("ValidationIssue"), "minItems": 1}},
                               required=["detail"], description="FastAPI's 422 answer: one issue per offending field."),
        # Shared fields
        "Backend": {"type": "string", "enum": BACKENDS, "description": "A detector Vigil has (see `GET /v1/ml/anomaly/backends`)."},
        "Normalization": {"type": "string", "enum": ["standardization", "zscore", "raw"],
                          "description": "How raw detector scores become scores: `standardization` (0–1, 0.5 = the learned "
                                         "contamination boundary), `zscore` (standard deviations from the training mean) "
                                         "or `raw`. Part of a model's identity: score with the normalization it was fitted with."},
        "Contamination": {"type": "number", "exclusiveMinimum": 0, "maximum": 0.5,
                          "description": "Expected share of anomalies in the training data; sets the learned threshold."},
        "ModelName": {"type": "string", "pattern": MODEL_NAME_PATTERN,
                      "description": "A model name, a version id (`name_YYYYMMDD_HHMMSS`) or `name-latest`: 1–128 characters "
                                     "of `[A-Za-z0-9_.-]`, without `..` (other names are a 400)."},
        "Value": with_doc(scalar, "A plain JSON value."),
        "Record": {"type": "object", "additionalProperties": ref("Value"), "description": "One row as named fields."},
        "Rows": {
            "description": "Rows of numbers (all of one length), a list of numbers (one column), or objects encoded "
                           "with a schema. At most 100,000 rows per request (413 beyond; `vigil serve` default).",
            "anyOf": [
                {"type": "array", "minItems": 1, "items": {"type": "array", "minItems": 1, "items": {"type": "number"}}},
                {"type": "array", "minItems": 1, "items": {"type": "number"}},
                {"type": "array", "minItems": 1, "items": ref("Record")},
            ],
        },
        "Schema": {"type": "object", "minProperties": 1, "additionalProperties": field_spec,
                   "description": "Field name → encoding. Columns are the fields in sorted order; other fields are ignored."},
        # Batch anomaly requests
        "FitRequest": obj({
            "model": with_doc(ref("ModelName"), "Base name; the version stored is `name_YYYYMMDD_HHMMSS` (UTC) "
                                                "unless `overwrite` is true. Must not end in `-latest`.", "default"),
            "backend": with_doc(ref("Backend"), "Detector to fit.", "isolation_forest"),
            "data": with_doc(ref("Rows"), "Training rows, mostly normal."),
            "schema": with_doc(nullable(ref("Schema")), "Required when `data` holds objects."),
            "contamination": with_doc(ref("Contamination"), "Expected share of anomalies in `data`.", 0.1),
            "normalization": with_doc(ref("Normalization"), "Score normalization.", "standardization"),
            "epochs": integer(1, 1000, 100, "Autoencoder only: passes over the data, 1–1000 (400 below 1, 422 above 1000)."),
            "batch_size": integer(2, None, 32, "Autoencoder only: rows per mini-batch, at least 2 (batch normalization) and "
                                               "at most the number of training rows (400 otherwise)."),
            "hidden_neurons": with_doc(nullable({"type": "array", "minItems": 1, "maxItems": 8,
                                                 "items": integer(1, 1024)}),
                                       "Autoencoder only: encoder layer widths (default [64, 32]; the decoder mirrors them), "
                                       "at most 8 layers of at most 1024 units (422 beyond; an empty list or a width below 1 is a 400)."),
            "overwrite": {"type": "boolean", "default": False,
                          "description": "Replace the newest version of the name instead of adding one."},
            "description": with_doc(nullable({"type": "string"}), "Stored with the version and shown in the model list."),
        }, required=["data"], closed=False),
        "ScoreRequest": obj({
            "model": with_doc(ref("ModelName"), "Version, name (its newest version) or `name-latest`.", "default"),
            "backend": with_doc(ref("Backend"), "Backend the model was fitted with.", "isolation_forest"),
            "data": with_doc(ref("Rows"), "Rows to score, shaped as at fit (objects need a model fitted with a schema)."),
            "normalization": with_doc(ref("Normalization"), "Must be the one the model was fitted with.", "standardization"),
            "threshold": with_doc(nullable({"type": "number"}), "Overrides the learned threshold for this call."),
            "schema": with_doc(nullable(ref("Schema")), "Accepted and ignored: the encoder fitted with the model is used."),
            **explain_properties(),
        }, required=["data"], closed=False),
        "SaveRequest": obj({
            "model": with_doc(ref("ModelName"), "Version, name or `name-latest`."),
            "backend": with_doc(ref("Backend"), "Backend of the model.", "isolation_forest"),
            "normalization": with_doc(ref("Normalization"), "Normalization of the model.", "standardization"),
            "description": with_doc(nullable({"type": "string"}), "Accepted; fit already stored the description."),
        }, required=["model"], closed=False),
        "LoadRequest": obj({
            "model": with_doc(ref("ModelName"), "Version, name or `name-latest`."),
            "backend": with_doc(ref("Backend"), "Backend of the model.", "isolation_forest"),
        }, required=["model"], closed=False),
        # Batch anomaly answers
        "FitResult": response_object({
            "object": const("fit_result"),
            "model": {"type": "string", "description": "The version stored."},
            "backend": ref("Backend"),
            "samples_fitted": integer(1),
            "training_time_ms": {"type": "number", "minimum": 0},
            "model_params": response_object({
                "backend": ref("Backend"),
                "contamination": ref("Contamination"),
                "threshold": {"type": "number", "description": "The learned threshold, in normalized units."},
                "input_dim": integer(0, description="Encoded columns."),
            }),
            "encoder": nullable(response_object({
                "schema": ref("Schema"),
                "features": {"type": "array", "items": {"type": "string"}, "description": "The schema's fields, sorted."},
            })),
            "saved_path": {"type": "string", "description": "Where the version is stored: `<store>#<version>`."},
            "status": const("fitted"),
            "base_name": {"type": "string"},
            "versioned_name": {"type": "string"},
            "overwrite": {"type": "boolean"},
        }),
        "ScoredRow": obj({
            "index": integer(0, description="Position in the request."),
            "score": {"type": "number"},
            "is_anomaly": {"type": "boolean", "description": "`score > threshold`."},
            "raw_score": {"type": "number"},
            "explanation": with_doc(ref("RowExplanation"), "Only when the request asked `explain`."),
        }, required=["index", "score", "is_anomaly", "raw_score"]),
        "DetectedRow": obj({
            "index": integer(0, description="Position in the request."),
            "score": {"type": "number"},
            "raw_score": {"type": "number"},
            "explanation": with_doc(ref("RowExplanation"), "Only when the request asked `explain`."),
        }, required=["index", "score", "raw_score"]),
        "FeatureContribution": response_object({
            "feature": {"type": "string"},
            "value": {"type": "number", "description": "The row's value as sent (encoded for object rows, before scaling)."},
            "contribution": {"type": "number", "description": "Signed share of `output_value`."},
        }),
        "RowExplanation": response_object({
            "output": {"type": "string", "enum": ["raw_score", "mean_path_length"],
                       "description": "What the contributions add up to: the raw score (higher = more anomalous), or "
                                      "for isolation_forest the mean path length E[h] over the trees (lower = more "
                                      "anomalous; raw score = 2^(-E[h]/c(max_samples)))."},
            "output_value": {"type": "number", "description": "The row's value of `output`."},
            "base_value": {"type": "number", "description": "`base_value` + Σ contributions = `output_value`: 0 for "
                                                            "ecod, copod, hbos and autoencoder; the expected path "
                                                            "length over the training data for isolation_forest."},
            "contributions": {"type": "array", "items": ref("FeatureContribution"), "description": "In column order."},
            "top_features": {"type": "array", "items": {"type": "string"},
                             "description": "The `top_k` features pushing the row most towards anomalous."},
        }),
        "DriftFeature": response_object({
            "feature": {"type": "string"},
            "psi": {"type": "number", "minimum": 0},
            "drifting": {"type": "boolean", "description": "PSI past `psi_limit` (with enough rows)."},
        }),
        "DriftStatus": response_object({
            "object": const("drift_status"),
            "model": {"type": "string"},
            "version": with_doc(nullable({"type": "string"}), "The version the window covers; null before any row."),
            "status": {"type": "string", "enum": ["collecting", "stable", "drifting"],
                       "description": "`collecting` until the window holds `min_rows` rows."},
            "drifting": {"type": "boolean"},
            "reasons": {"type": "array", "items": {"type": "string"},
                        "description": "Limits crossed: `anomaly_rate`, `score_psi`, `feature_psi:<feature>`."},
            "window": integer(1, description="Scored rows the figures cover at most."),
            "rows": integer(0, description="Rows in the window now."),
            "min_rows": integer(1, description="Rows needed before the model can be drifting."),
            "anomaly_rate": {"type": "number", "minimum": 0, "maximum": 1},
            "training_anomaly_rate": {"type": "number", "minimum": 0, "maximum": 1},
            "anomaly_rate_limit": {"type": "number", "minimum": 0,
                                   "description": "Drifting above this live rate (factor × training rate)."},
            "psi_limit": {"type": "number"},
            "score_psi": with_doc(nullable({"type": "number", "minimum": 0}),
                                  "PSI of the raw score; null for versions stored without training histograms."),
            "features": {"type": "array", "items": ref("DriftFeature")},
        }),
        "ScoreResult": response_object({
            "object": const("list"),
            "data": {"type": "array", "items": ref("ScoredRow")},
            "total_count": integer(0),
            "model": {"type": "string", "description": "The version that scored."},
            "backend": ref("Backend"),
            "summary": response_object({
                "total_points": integer(0),
                "anomaly_count": integer(0),
                "anomaly_rate": {"type": "number", "minimum": 0, "maximum": 1},
                "threshold": {"type": "number"},
            }),
        }),
        "DetectResult": response_object({
            "object": const("list"),
            "data": {"type": "array", "items": ref("DetectedRow"), "description": "Only the flagged rows."},
            "total_count": integer(0),
            "model": {"type": "string", "description": "The version that scored."},
            "backend": ref("Backend"),
            "summary": response_object({"anomalies_detected": integer(0), "threshold": {"type": "number"}}),
        }),
        "SaveResult": response_object({
            "object": const("save_result"),
            "model": {"type": "string"},
            "backend": ref("Backend"),
            "filename": {"type": "string", "description": "`{version}_{backend}.vigil`."},
            "path": {"type": "string"},
            "encoder_path": nullable({"type": "string"}),
            "status": const("saved"),
        }),
        "LoadResult": response_object({
            "object": const("load_result"),
            "model": {"type": "string"},
            "backend": ref("Backend"),
            "normalization": ref("Normalization"),
            "filename": {"type": "string"},
            "is_fitted": TRUE,
            "threshold": {"type": "number"},
            "encoder_loaded": {"type": "boolean"},
            "encoder_schema": nullable(response_object({"features": ref("Schema")})),
            "status": const("loaded"),
        }),
        "ModelListItem": obj({
            "name": {"type": "string", "description": "Version id."},
            "filename": {"type": "string", "description": "`{version}_{backend}.vigil`, what DELETE takes."},
            "base_name": {"type": "string"},
            "backend": ref("Backend"),
            "path": {"type": "string"},
            "size_bytes": integer(0),
            "created": {"type": "string", "format": "date-time"},
            "is_versioned": {"type": "boolean"},
            "description": {"type": "string", "description": "Only when one was given at fit."},
        }, required=["name", "filename", "base_name", "backend", "path", "size_bytes", "created", "is_versioned"]),
        "ModelList": list_of("ModelListItem", "Newest first."),
        "ModelDeleted": response_object({
            "object": const("delete_result"),
            "filename": {"type": "string"},
            "deleted": TRUE,
        }),
        "BackendInfo": response_object({
            "backend": ref("Backend"),
            "name": {"type": "string"},
            "description": {"type": "string"},
            "category": {"type": "string", "enum": ["legacy", "fast", "distance", "clustering", "ensemble", "streaming",
                                                    "deep_learning"]},
            "speed": {"type": "string"},
            "memory": {"type": "string"},
            "parameters": {"type": "array", "items": {"type": "string"}},
            "best_for": {"type": "string"},
            "is_legacy": {"type": "boolean"},
        }),
        "BackendList": response_object({
            "object": const("list"),
            "total": integer(0),
            "categories": {"type": "array", "items": {"type": "string"}},
            "data": {"type": "array", "items": ref("BackendInfo")},
        }),
        "PredictResult": response_object({
            "is_anomaly": {"type": "boolean"},
            "score": {"type": "number"},
            "model": {"type": "string", "description": "The version that scored."},
        }),
        # Streaming
        "StreamStatus": {"type": "string", "enum": ["collecting", "ready", "retraining"]},
        "StreamRequest": obj({
            "model": {"type": "string", "default": "default-stream", "description": "Streaming detector id."},
            "data": {"description": "One point or a list of points.",
                     "anyOf": [ref("Record"), {"type": "array", "items": ref("Record")}]},
            "backend": with_doc(ref("Backend"), "Detector fitted on the window.", "ecod"),
            "min_samples": integer(10, 100000, 50, "Points collected before the first fit; at most `window_size`."),
            "retrain_interval": integer(10, 10000000, 100, "Points between refits."),
            "window_size": integer(50, 100000, 1000, "Newest points a fit uses."),
            "contamination": with_doc(ref("Contamination"), "Expected share of anomalies.", 0.1),
            "threshold": {"type": "number", "minimum": 0, "maximum": 1, "default": 0.5,
                          "description": "Score above which a point is an anomaly."},
            "rolling_windows": with_doc(nullable({"type": "array", "items": integer(1, 100000), "maxItems": 20, "uniqueItems": True}),
                                        "Rolling mean/std/min/max windows added as features; each at most `window_size`."),
            "include_lags": {"type": "boolean", "default": False, "description": "Add lag features."},
            "lag_periods": with_doc(nullable({"type": "array", "items": integer(1, 100000), "maxItems": 20, "uniqueItems": True}),
                                    "Lags added when `include_lags` (default [1, 2, 3]); each at most `window_size`."),
            **explain_properties(),
        }, required=["data"], closed=False),
        "StreamPointResult": obj({
            "index": integer(0),
            "score": nullable({"type": "number"}),
            "is_anomaly": nullable({"type": "boolean"}),
            "raw_score": nullable({"type": "number"}),
            "samples_until_ready": integer(0),
            "explanation": with_doc(ref("RowExplanation"), "Only for scored points of a request with `explain`."),
        }, required=["index", "score", "is_anomaly", "raw_score", "samples_until_ready"]),
        "StreamResult": response_object({
            "object": const("streaming_result"),
            "model": {"type": "string"},
            "status": ref("StreamStatus"),
            "results": {"type": "array", "items": ref("StreamPointResult")},
            "model_version": integer(0),
            "samples_collected": integer(0),
            "samples_until_ready": integer(0),
            "threshold": {"type": "number"},
        }),
        "StreamDetectorStats": response_object(stream_stats),
        "StreamDetector": response_object({"object": const("streaming_detector"), **stream_stats}),
        "StreamDetectorList": list_of("StreamDetectorStats"),
        "StreamDeleted": response_object({
            "object": const("delete_result"),
            "model": {"type": "string"},
            "deleted": TRUE,
        }),
        "StreamReset": response_object({
            "object": const("reset_result"),
            "model": {"type": "string"},
            "status": const("collecting"),
            "reset": TRUE,
        }),
        # Feature buffers
        "CreateBufferRequest": obj({
            "buffer_id": {"type": "string", "minLength": 1,
                          "description": "Buffer name; `/`, `\\` and `..` are refused (400)."},
            "window_size": integer(10, None, 1000, "Rows kept: older rows are dropped after each append."),
        }, required=["buffer_id"], closed=False),
        "AppendRequest": obj({
            "buffer_id": {"type": "string"},
            "data": {"description": "One record or a list of records.",
                     "anyOf": [ref("Record"), {"type": "array", "items": ref("Record")}]},
        }, required=["buffer_id", "data"], closed=False),
        "FeaturesRequest": obj({
            "buffer_id": {"type": "string"},
            "rolling_windows": with_doc(nullable({"type": "array", "items": integer(1), "uniqueItems": True}),
                                        "Rolling windows in rows, each listed once; partial windows from the first row "
                                        "(a window longer than the rows held covers them all).", [5, 10, 20]),
            "include_rolling_stats": with_doc(nullable({"type": "array", "items": {"type": "string", "enum": ROLLING_STATS}}),
                                              "Statistics per window.", ROLLING_STATS),
            "include_lags": {"type": "boolean", "default": True, "description": "Add lag features."},
            "lag_periods": with_doc(nullable({"type": "array", "items": integer(1), "uniqueItems": True}),
                                    "Lags in rows, each listed once (0 before the first row held).", [1, 2, 3]),
            "tail": with_doc(nullable({"type": "integer"}), "Only the newest rows (null or ≤ 0: all)."),
        }, required=["buffer_id"], closed=False),
        "BufferCreated": response_object({
            "object": const("buffer_created"),
            "buffer_id": {"type": "string"},
            "window_size": integer(10),
            "status": const("created"),
        }),
        "BufferStats": response_object(buffer_stats),
        "BufferList": list_of("BufferStats", "By name."),
        "BufferDeleted": response_object({"deleted": TRUE, "buffer_id": {"type": "string"}}),
        "BufferCleared": response_object({
            "cleared": TRUE,
            "buffer_id": {"type": "string"},
            "size": integer(0, 0),
        }),
        "AppendResult": response_object({
            "object": const("append_result"),
            "buffer_id": {"type": "string"},
            "appended": integer(0),
            "buffer_size": integer(0),
            "avg_append_ms": {"type": "number", "minimum": 0},
        }),
        "BufferData": response_object({
            "object": const("polars_data"),
            "buffer_id": {"type": "string"},
            "rows": integer(0),
            "columns": {"type": "array", "items": {"type": "string"}},
            "data": {"type": "array", "items": ref("Record"), "description": "One object per row, keyed by `columns`."},
        }),
        # Service
        "Status": response_object({"status": {"type": "string", "enum": ["ok", "ready"]}}),
        # Ethereum
        "ScanRequest": obj({
            "start_block": integer(0, 2**63 - 1, description="First block, inclusive."),
            "end_block": integer(0, 2**63 - 1, description="Last block, inclusive; start_block > end_block is a 400."),
            "time_interval_in_seconds": {"type": "number", "minimum": 0, "default": 0,
                                         "description": "When > 0, the blocks of this many seconds up to the newest (by block timestamps) "
                                                        "replace start_block/end_block."},
            "use_pre_trained_model": {"type": "boolean", "default": False,
                                      "description": "Score with the newest `erc20-transfers` model (404 if none) instead "
                                                     "of fitting one on the loaded transfers and saving it as a new version."},
            "contamination": {"type": "number", "exclusiveMinimum": 0, "maximum": 0.5, "default": 0.001,
                              "description": "Share of transfers a fit flags."},
            "group_by_transaction": {"type": "boolean", "default": False,
                                     "description": "One entry per transaction (`token2value`) instead of per transfer."},
        }, required=["start_block", "end_block"], closed=False),
        "FlaggedTransfer": response_object({
            "transaction_hash": {"type": "string"},
            "value": {"type": "number", "description": "Token units (raw value / 10^decimals; 18 decimals when unknown)."},
            "token": {"type": "string", "description": "The token's symbol, else its contract address."},
            "gas_cost": {"type": "number", "description": "gasUsed × effectiveGasPrice in ETH."},
            "anomaly_score": {"type": "number"},
            "etherscan_link": {"type": "string"},
            "value_exact": {"type": "string", "description": "The value as an exact decimal."},
            "gas_cost_exact": {"type": "string", "description": "The gas cost in ETH as an exact decimal."},
            "token_address": {"type": "string"},
            "block_number": integer(0),
            "log_index": integer(0),
        }),
        "FlaggedTransaction": response_object({
            "transaction_hash": {"type": "string"},
            "token2value": {"type": "object", "additionalProperties": {"type": "number"},
                            "description": "Flagged value moved by token."},
            "gas_cost": {"type": "number"},
            "anomaly_score": {"type": "number", "description": "The highest score of its transfers."},
            "etherscan_link": {"type": "string"},
        }),
        "ScanResult": {"anyOf": [{"type": "array", "items": ref("FlaggedTransfer")},
                                 {"type": "array", "items": ref("FlaggedTransaction")}],
                       "description": "The flagged transfers (or transactions), highest score first."},
        "Finding": response_object({
            "id": integer(1),
            "created_at": {"type": "string", "format": "date-time"},
            "alert_id": {"type": "string", "description": "ANOMALOUS-ROW for a row a model flagged (score, detect, "
                                                          "predict, stream); ANOMALOUS-TOKEN-TRANSFERS-TX, "
                                                          "NORMAL-TOKEN-TRANSFERS-TX or INVALID-TOKEN-TRANSFERS-TX "
                                                          "for Ethereum scans."},
            "severity": {"type": "string", "enum": SEVERITIES},
            "name": {"type": "string"},
            "description": {"type": "string"},
            "model": {"type": "string"},
            "model_version": {"type": "string"},
            "score": {"type": "number"},
            "threshold": {"type": "number"},
            "transaction_hash": nullable({"type": "string"}),
            "metadata": {"type": "object", "description": "Ethereum scans: prediction, anomaly_score, anomaly_threshold, "
                                                          "model_version, feature_generation_ms, model_response_ms and "
                                                          "what was scored. Flagged rows: route, row_index, prediction, "
                                                          "raw_score, latency_ms, and with explain top_features "
                                                          "[{feature, value, contribution}], base_value, explained_output."},
        }),
        "FindingList": list_of("Finding", "Newest first."),
    }


def responses():
    def detail(description):
        return {"description": description, "content": json_content(ref("Detail"))}

    return {
        "BadRequest": detail("The request is understood but cannot be served (e.g. the model is not fitted, "
                             "a row does not fit the model, a bad name or parameter)."),
        "NotFound": detail("The named model, version, buffer, detector or file does not exist."),
        "Conflict": detail("The thing to create already exists."),
        "TooLarge": detail("The body is larger than the limit (16 MiB by default) or has too many rows "
                           "(100,000 by default)."),
        "ValidationFailed": {"description": "The body is not valid JSON or does not match the request schema.",
                             "content": json_content(ref("ValidationError"))},
        "Unavailable": detail("A part the answer needs is not available (the model registry, or the documentation "
                              "files), or the request ran past the request timeout (`--request-timeout`, 300 s by "
                              "default) and was abandoned without saving anything."),
        "Unauthorized": {**detail("Authentication is on and the bearer token is missing, expired, not yet valid, "
                                  "badly signed, or for another issuer or audience."),
                         "headers": {"WWW-Authenticate": {"description": "`Bearer` with the error.",
                                                          "schema": {"type": "string"}}}},
        "Forbidden": detail("The token's roles do not include the role the route needs."),
        "TooManyRequests": {**detail("The client (token subject, or address) is over its request rate "
                                     "(`--rate-limit`), or, for fits, every fit slot is in use "
                                     "(`--max-concurrent-fits`)."),
                            "headers": {"Retry-After": {"description": "Seconds to wait before retrying.",
                                                        "schema": {"type": "integer"}}}},
    }


# Routes anyone may call, and POST routes a scorer may call; the rest of the POST/DELETE routes need
# admin, GET routes viewer (as Sources/VigilServer/Auth/Role.swift decides).
OPEN_ROUTES = {"/healthz", "/readyz", "/openapi.json", "/docs", "/docs/{asset}"}
SCORING_ROUTES = {"/v1/ml/anomaly/score", "/v1/ml/anomaly/detect", "/v1/ml/anomaly/stream", "/v1/ml/polars/append",
                  "/v1/ml/polars/features", "/v1/ml/features/append", "/v1/ml/features/features",
                  "/anomaly_detection", "/anomaly_detection/"}


def required_role(method, route):
    if route in OPEN_ROUTES:
        return None
    if method in ("get", "head"):
        return "viewer"
    if method == "post" and (route in SCORING_ROUTES or route.startswith("/predict_")):
        return "scorer"
    return "admin"


def secure(paths):
    """Marks every operation with its role: bearer security and the 401/403/429/503 answers, or none if open."""
    for route, operations in paths.items():
        for method, op in operations.items():
            role = required_role(method, route)
            if role is None:
                op["security"] = []
                continue
            op["security"] = [{"bearer": []}]
            op["x-vigil-role"] = role
            note = f"Needs a token with role `{role}` when authentication is on."
            op["description"] = (op["description"] + "\n\n" + note) if "description" in op else note
            for code, answer in errors(401, 403, 429, 503).items():
                op["responses"].setdefault(code, answer)
    return paths


# MARK: paths

def buffer_paths(prefix):
    """The feature-buffer routes under one prefix; operation ids end in the prefix's last part."""
    suffix = prefix.rsplit("/", 1)[1]
    tag = f"buffers ({suffix})"
    bid = path_parameter("buffer_id", "Buffer name.")
    created = "$response.body#/buffer_id"
    buffer_links = {
        "GetBuffer": link(f"get_buffer_{suffix}", "The new buffer's stats.", {"buffer_id": created}),
        "AppendToBuffer": link(f"append_{suffix}", "Append to the new buffer.", request_body={"buffer_id": created}),
        "BufferFeatures": link(f"features_{suffix}", "The new buffer's features.", request_body={"buffer_id": created}),
        "BufferData": link(f"buffer_data_{suffix}", "The new buffer's rows.", {"buffer_id": created}),
        "ClearBuffer": link(f"clear_buffer_{suffix}", "Empty the new buffer.", {"buffer_id": created}),
        "DeleteBuffer": link(f"delete_buffer_{suffix}", "Remove the new buffer.", {"buffer_id": created}),
    }
    return {
        f"{prefix}/buffers": {
            "post": operation(f"create_buffer_{suffix}", tag, "Create an empty buffer",
                              {**ok(ref("BufferCreated"), links=buffer_links), **errors(400, 409, 413, 422)},
                              request=body("CreateBufferRequest")),
            "get": operation(f"list_buffers_{suffix}", tag, "Every buffer's stats", ok(ref("BufferList"))),
        },
        f"{prefix}/buffers/{{buffer_id}}": {
            "get": operation(f"get_buffer_{suffix}", tag, "One buffer's stats",
                             {**ok(ref("BufferStats")), **errors(400, 404)}, parameters=[bid]),
            "delete": operation(f"delete_buffer_{suffix}", tag, "Remove a buffer",
                                {**ok(ref("BufferDeleted")), **errors(400, 404)}, parameters=[bid]),
        },
        f"{prefix}/buffers/{{buffer_id}}/clear": {
            "post": operation(f"clear_buffer_{suffix}", tag, "Drop every row, keep the name and window size",
                              {**ok(ref("BufferCleared")), **errors(400, 404)}, parameters=[bid]),
        },
        f"{prefix}/buffers/{{buffer_id}}/data": {
            "get": operation(f"buffer_data_{suffix}", tag, "Rows, raw or with the default features",
                             {**ok(ref("BufferData")), **errors(400, 404)},
                             parameters=[bid,
                                         query_parameter("tail", {"type": "integer"}, "Only the newest rows (≤ 0: all)."),
                                         query_parameter("with_features", {"type": "boolean", "default": False},
                                                         "Add rolling windows 5, 10, 20 and lags 1, 2, 3.")]),
        },
        f"{prefix}/append": {
            "post": operation(f"append_{suffix}", tag, "Append records to an existing buffer",
                              {**ok(ref("AppendResult")), **errors(400, 404, 413, 422)}, request=body("AppendRequest")),
        },
        f"{prefix}/features": {
            "post": operation(f"features_{suffix}", tag, "Rows with rolling and lag features",
                              {**ok(ref("BufferData")), **errors(400, 404, 413, 422)}, request=body("FeaturesRequest")),
        },
    }


def paths():
    anomaly = "/v1/ml/anomaly"
    model_id = path_parameter("model_id", "Streaming detector id; `/`, `\\` and `..` are refused (400).")
    fitted = {"model": "$response.body#/model", "backend": "$response.body#/backend"}
    fit_links = {
        "ScoreWithModel": link("score", "Score rows with the new version.", request_body=fitted),
        "DetectWithModel": link("detect", "Detect with the new version.", request_body=fitted),
        "SaveModel": link("save", "Where the new version is stored.", request_body=fitted),
        "LoadModel": link("load", "Load the new version.", request_body=fitted),
        "DeleteModel": link("delete_model", "Delete the new version.", {"filename": "$response.body#/model"}),
        "ModelDrift": link("model_drift", "Drift figures of the model.", {"name": "$response.body#/base_name"}),
    }
    detector = {"model_id": "$response.body#/model"}
    stream_links = {
        "GetDetector": link("get_stream_detector", "The detector's stats.", detector),
        "ResetDetector": link("reset_stream_detector", "Start the detector over.", detector),
        "DeleteDetector": link("delete_stream_detector", "Remove the detector.", detector),
    }
    out = {
        "/healthz": {"get": operation("healthz", "service", "The process answers", ok(ref("Status")))},
        "/readyz": {"get": operation("readyz", "service", "The model registry answers too",
                                     {**ok(ref("Status")), **errors(503)})},
        "/metrics": {"get": operation(
            "metrics", "service", "Prometheus metrics",
            {"200": {"description": "Prometheus text exposition format 0.0.4.",
                     "content": {"text/plain": {"schema": {"type": "string"}}}}})},
        "/openapi.json": {"get": operation("openapi", "docs", "This document",
                                           {"200": {"description": "The OpenAPI 3.1 document.",
                                                    "content": {"application/json": {"schema": {"type": "object"}}}},
                                            **errors(503)})},
        "/docs": {"get": operation("docs", "docs", "Swagger UI for this document",
                                   {"200": {"description": "The Swagger UI page.",
                                            "content": {"text/html": {"schema": {"type": "string"}}}},
                                    **errors(503)})},
        "/docs/{asset}": {"get": operation(
            "docs_asset", "docs", "A file of the Swagger UI page",
            {"200": {"description": "The file.",
                     "content": {"text/javascript": {"schema": {"type": "string"}},
                                 "text/css": {"schema": {"type": "string"}},
                                 "text/plain": {"schema": {"type": "string"}}}},
             **errors(404, 503)},
            parameters=[{"name": "asset", "in": "path", "required": True, "description": "File name.",
                         "schema": {"type": "string",
                                    "enum": ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE"]}}])},
        f"{anomaly}/fit": {"post": operation(
            "fit", "anomaly", "Fit a detector and store a new model version",
            {**ok(ref("FitResult"), links=fit_links), **errors(400, 413, 422, 503)}, request=body("FitRequest"))},
        f"{anomaly}/score": {"post": operation(
            "score", "anomaly", "Score rows with a stored model",
            {**ok(ref("ScoreResult")), **errors(400, 413, 422, 503)}, request=body("ScoreRequest"))},
        f"{anomaly}/detect": {"post": operation(
            "detect", "anomaly", "The rows a stored model flags",
            {**ok(ref("DetectResult")), **errors(400, 413, 422, 503)}, request=body("ScoreRequest"))},
        f"{anomaly}/save": {"post": operation(
            "save", "anomaly", "Confirm that a version is stored",
            {**ok(ref("SaveResult"), links={"DeleteSaved": link("delete_model", "Delete the version.",
                                                                {"filename": "$response.body#/filename"})}),
             **errors(400, 404, 413, 422, 503)}, request=body("SaveRequest"),
            description="Fit already stores every version; this says where a version lives.")},
        f"{anomaly}/load": {"post": operation(
            "load", "anomaly", "Load a version into the cache and describe it",
            {**ok(ref("LoadResult")), **errors(400, 404, 413, 422, 503)}, request=body("LoadRequest"))},
        f"{anomaly}/models": {"get": operation("list_models", "anomaly", "Every stored version, newest first",
                                               {**ok(ref("ModelList")), **errors(503)})},
        f"{anomaly}/models/{{filename}}": {"delete": operation(
            "delete_model", "anomaly", "Delete a stored version",
            {**ok(ref("ModelDeleted")), **errors(400, 404, 503)},
            parameters=[path_parameter("filename", "`{version}_{backend}.vigil` from the model list, or the version id; "
                                                   "`/`, `\\` and `..` are refused (400).")])},
        f"{anomaly}/models/{{name}}/drift": {"get": operation(
            "model_drift", "anomaly", "Live drift figures of a model",
            {**ok(ref("DriftStatus")), **errors(404, 503)},
            parameters=[path_parameter("name", "Model base name (as fitted, or a streaming detector id).")],
            description="Over the model's last scored rows (the drift window): the live anomaly rate against the "
                        "training rate, and the population stability index of each feature and of the raw score "
                        "against the training histograms (10 quantile bins) of the version scored last. The model "
                        "is `drifting` once the window holds `min_rows` rows and the rate exceeds `anomaly_rate_limit` "
                        "or any PSI exceeds `psi_limit` (`vigil serve --drift-*`). 404 for a name with no stored "
                        "version and no scored rows.")},
        f"{anomaly}/backends": {"get": operation("list_backends", "anomaly", "The backends Vigil has",
                                                 ok(ref("BackendList")))},
        f"{anomaly}/stream": {"post": operation(
            "stream", "streaming", "Score points with a self-training streaming detector",
            {**ok(ref("StreamResult"), links=stream_links), **errors(400, 413, 422)}, request=body("StreamRequest"),
            description="Collects `min_samples` points, fits `backend` on the newest `window_size` points, then "
                        "scores each point and refits every `retrain_interval` points. A point without a numeric "
                        "field is a 400.")},
        f"{anomaly}/stream/detectors": {"get": operation("list_stream_detectors", "streaming", "Every streaming detector",
                                                         ok(ref("StreamDetectorList")))},
        f"{anomaly}/stream/{{model_id}}": {
            "get": operation("get_stream_detector", "streaming", "One streaming detector",
                             {**ok(ref("StreamDetector")), **errors(400, 404)}, parameters=[model_id]),
            "delete": operation("delete_stream_detector", "streaming", "Remove a streaming detector",
                                {**ok(ref("StreamDeleted")), **errors(400, 404)}, parameters=[model_id]),
        },
        f"{anomaly}/stream/{{model_id}}/reset": {"post": operation(
            "reset_stream_detector", "streaming", "Forget a streaming detector's points and model",
            {**ok(ref("StreamReset")), **errors(400, 404)}, parameters=[model_id])},
    }
    for backend in ["isolation_forest", "autoencoder"]:
        out[f"/predict_{backend}"] = {"post": operation(
            f"predict_{backend}", "predict", f"Score one record with the newest {backend} model",
            {**ok(ref("PredictResult")), **errors(400, 404, 413, 422, 503)},
            request={"required": True, "content": json_content(ref("Record"))},
            parameters=[query_parameter("model", ref("ModelName"), "Version, name or `name-latest` to use instead of "
                                                                   "the newest model of the backend.")],
            description="Fields are read by the model's feature names (a schema-encoded model encodes the record).")}
    for prefix in BUFFER_PREFIXES:
        out.update(buffer_paths(prefix))
    out["/anomaly_detection/"] = {"post": operation(
        "anomaly_detection", "ethereum", "Anomalous ERC20 transfers in a block range",
        {**ok(ref("ScanResult")), **errors(400, 404, 409, 413, 422, 503)}, request=body("ScanRequest"),
        description="Loads the ERC20 Transfer logs of the blocks from the node at VIGIL_ETH_RPC_URL (503 when it is "
                    "unset or the node fails after retries), fits an Isolation Forest on them or uses the newest "
                    "`erc20-transfers` model, stores one finding per transfer and answers the flagged ones.")}
    out["/v1/findings"] = {"get": operation(
        "list_findings", "ethereum", "Stored findings, newest first: every flagged row (the audit trail) and Ethereum scans",
        {**ok(ref("FindingList")), **errors(400, 503)},
        parameters=[query_parameter("since", {"type": "string"}, "Only findings from this time on: ISO 8601 or Unix seconds."),
                    query_parameter("severity", {"type": "string", "enum": SEVERITIES}, "Only this severity."),
                    query_parameter("limit", integer(1, 10000, 100), "At most this many.")])}
    return out


def document():
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Vigil",
            "version": VERSION,
            "summary": "Anomaly and fraud detection over HTTP, compatible with LlamaFarm's anomaly and feature-buffer API.",
            "description": "Errors are `{\"detail\": \"...\"}`; a body that is not valid JSON or does not match the "
                           "request schema is a 422 with FastAPI's issue list. Request bodies are JSON; fields not "
                           "listed are ignored.",
        },
        "tags": [
            {"name": "anomaly", "description": "Batch detectors over the model registry."},
            {"name": "streaming", "description": "Self-training detectors fed one point at a time."},
            {"name": "predict", "description": "One record scored with the newest model of a backend."},
            {"name": "buffers (polars)", "description": "Named in-memory feature buffers under /v1/ml/polars."},
            {"name": "buffers (features)", "description": "The same buffers under /v1/ml/features."},
            {"name": "ethereum", "description": "ERC20 transfer scans over an Ethereum node's JSON-RPC, and findings."},
            {"name": "service", "description": "Health, readiness and metrics."},
            {"name": "docs", "description": "This document and its Swagger UI."},
        ],
        "paths": secure(paths()),
        "components": {
            "schemas": schemas(), "responses": responses(),
            "securitySchemes": {"bearer": {
                "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                "description": "A JWT (HS256 with the server's secret, or RS256/ES256 from its JWKS) whose `roles` "
                               "claim holds viewer, scorer or admin; `vigil token --role ROLE` mints one. Off when "
                               "the server has no key (loopback only)."}},
        },
    }


def main(argv):
    text = json.dumps(document(), indent=2, ensure_ascii=False) + "\n"
    if argv[1:] == ["--check"]:
        if not OUTPUT.exists() or OUTPUT.read_text(encoding="utf-8") != text:
            print(f"{OUTPUT} is not what scripts/openapi.py writes: run python3 scripts/openapi.py", file=sys.stderr)
            return 1
        return 0
    if argv[1:]:
        print(__doc__, file=sys.stderr)
        return 2
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
