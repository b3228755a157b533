"""The OpenAPI 3.1 document of the API, served at /api/v1/openapi.json."""

from __future__ import annotations

from app import links

_ERROR = {"$ref": "#/components/schemas/Error"}
_ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


def _error(description):
    return {"description": description, "content": {"application/json": {"schema": _ERROR}}}


def _json(description, schema):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_COMMON = {
    "401": _error("No valid token"),
    "404": _error("No such resource, or not visible"),
    "429": _error("Rate limit of the token exceeded"),
}

_VIDEO_ID = {"name": "video_id", "in": "path", "required": True, "schema": _ID}
_LANG = {
    "name": "lang",
    "in": "query",
    "required": False,
    "description": "Language of the titles in a summary (the detail has every language).",
    "schema": {"type": "string", "enum": ["fr", "en"]},
}

_SEARCH_PARAMS = [
    {
        "name": "q",
        "in": "query",
        "schema": {"type": "string", "maxLength": 200},
        "description": "Words, as in the site's search box",
    },
    {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}},
    {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"}},
    {"name": "tag", "in": "query", "schema": {"type": "string", "maxLength": 200}},
    {"name": "location", "in": "query", "schema": {"type": "string", "maxLength": 200}},
    {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["date", "relevance"]}},
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {
        "name": "per_page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 24},
    },
    _LANG,
]

_SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error", "status"],
        "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
    },
    "VideoSummary": {
        "type": "object",
        "required": ["id", "title", "url"],
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "summary": {"type": "string"},
            "url": {"type": "string", "format": "uri"},
            "api_url": {"type": "string", "format": "uri"},
            "poster_url": {"type": ["string", "null"]},
            "published_at": {"type": ["string", "null"]},
            "recorded_on": {"type": ["string", "null"]},
            "location": {"type": "string"},
            "duration": {"type": ["number", "null"]},
            "tags": {"type": "array", "items": {"type": "string"}},
            "categories": {
                "type": "array",
                "description": "the tags with their names in the answer's language",
                "items": {
                    "type": "object",
                    "properties": {"key": {"type": "string"}, "name": {"type": "string"}},
                },
            },
        },
    },
    "Rendition": {
        "type": "object",
        "required": ["name", "downloadable"],
        "properties": {
            "name": {"type": "string"},
            "label": {"type": "string"},
            "width": {"type": ["integer", "null"]},
            "height": {"type": ["integer", "null"]},
            "size": {"type": ["integer", "null"]},
            "bit_rate": {"type": ["integer", "null"]},
            "mime_type": {"type": "string"},
            "downloadable": {"type": "boolean"},
            "download_url": {"type": ["string", "null"]},
            "url": {"type": ["string", "null"]},
        },
    },
    "Download": {
        "type": "object",
        "required": ["name", "url"],
        "properties": {
            "name": {"type": "string"},
            "label": {"type": "string"},
            "size": {"type": ["integer", "null"]},
            "filename": {"type": ["string", "null"]},
            "url": {"type": "string"},
        },
    },
    "Shot": {
        "type": "object",
        "properties": {
            "timecode": {"type": ["string", "null"]},
            "description": {"type": "string"},
            "seconds": {"type": ["number", "null"]},
        },
    },
    "Caption": {
        "type": "object",
        "description": "WebVTT and SRT files of one language, timed from the first frame "
        "(a clip's sidecar: from the clip's first frame).",
        "properties": {
            "lang": {"type": "string"},
            "label": {"type": "string"},
            "cues": {"type": "integer"},
            "vtt_url": {"type": "string"},
            "srt_url": {"type": "string"},
        },
    },
    "AudioTrack": {
        "type": "object",
        "description": "An audio stream of the master, or a channel pair of a PCM stream of "
        "more than two channels: what a clip request's `audio` names by `key`.",
        "required": ["key", "stream", "channels"],
        "properties": {
            "key": {"type": "string", "examples": ["2", "1:3-4"]},
            "stream": {"type": "integer", "description": "audio stream number, from 1"},
            "channels": {"type": "array", "items": {"type": "integer"}},
            "codec": {"type": "string"},
            "sample_rate": {"type": ["integer", "null"]},
            "layout": {"type": ["string", "null"]},
            "language": {"type": ["string", "null"]},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    },
    "ShotLists": {
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"$ref": "#/components/schemas/Shot"}},
    },
    "Video": {
        "allOf": [
            {"$ref": "#/components/schemas/VideoSummary"},
            {
                "type": "object",
                "properties": {
                    "slug": {"type": "string"},
                    "credit": {"type": "string"},
                    "usage_terms": {"type": "string"},
                    "texts": {
                        "type": "object",
                        "additionalProperties": {
                            "type": "object",
                            "properties": {
                                "title": {"type": "string"},
                                "summary": {"type": "string"},
                                "story": {"type": "string"},
                                "location": {"type": "string"},
                                "usage_terms": {"type": "string"},
                            },
                        },
                    },
                    "frame_rate": {"type": ["string", "null"]},
                    "frame_count": {"type": ["integer", "null"]},
                    "width": {"type": ["integer", "null"]},
                    "height": {"type": ["integer", "null"]},
                    "start_timecode": {"type": ["string", "null"]},
                    "master": {"type": ["string", "null"]},
                    "renditions": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/Rendition"},
                    },
                    "downloads": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/Download"},
                    },
                    "shots": {"$ref": "#/components/schemas/ShotLists"},
                    "captions": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/Caption"},
                    },
                    "audio_tracks": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/AudioTrack"},
                    },
                },
            },
        ]
    },
    "SearchPage": {
        "type": "object",
        "required": ["items", "page", "per_page", "total", "pages"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/VideoSummary"}},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
            "pages": {"type": "integer"},
            "links": {
                "type": "object",
                "properties": {
                    "self": {"type": "string"},
                    "next": {"type": ["string", "null"]},
                    "prev": {"type": ["string", "null"]},
                },
            },
        },
    },
    "ClipSelection": {
        "description": "Master timecodes (out exclusive) or master frame numbers; `audio`, "
        "the keys of the audio tracks the clip carries (every track when absent).",
        "type": "object",
        "properties": {
            "audio": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        },
        "oneOf": [
            {
                "type": "object",
                "required": ["in", "out"],
                "properties": {"in": {"type": "string"}, "out": {"type": "string"}},
            },
            {
                "type": "object",
                "required": ["in_frame", "out_frame"],
                "properties": {
                    "in_frame": {"type": "integer"},
                    "out_frame": {"type": "integer"},
                },
            },
        ],
    },
    "ClipStatus": {
        "type": "object",
        "required": ["id", "video_id", "status", "status_url"],
        "properties": {
            "id": {"type": "integer"},
            "video_id": {"type": "integer"},
            "status": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
            "progress": {"type": "number"},
            "frames": {"type": "integer"},
            "in_frame": {"type": "integer"},
            "out_frame": {"type": "integer"},
            "tc_in": {"type": "string"},
            "tc_out": {"type": "string"},
            "duration": {"type": "number"},
            "duration_tc": {"type": "string"},
            "size": {"type": ["integer", "null"]},
            "size_text": {"type": "string"},
            "filename": {"type": ["string", "null"]},
            "download_url": {"type": ["string", "null"]},
            "status_url": {"type": "string"},
            "error": {"type": ["string", "null"]},
            "captions": {"type": "array", "items": {"$ref": "#/components/schemas/Caption"}},
            "audio": {
                "type": "array",
                "items": {"type": "string"},
                "description": "the keys of the audio tracks the clip carries",
            },
            "audio_names": {
                "type": "array",
                "items": {"type": "string"},
                "description": "their names, when the clip carries only some tracks",
            },
        },
    },
}


def _get(summary, ok, *params, extra=None):
    responses = {"200": ok, **_COMMON, **(extra or {})}
    return {"get": {"summary": summary, "parameters": list(params), "responses": responses}}


_FILE = {
    "description": "The file (Range and conditional requests are honoured)",
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
}


def _paths():
    video = {"$ref": "#/components/schemas/Video"}
    return {
        "/videos": {
            "get": {
                "summary": "Search the library (the site's syntax and filters)",
                "parameters": _SEARCH_PARAMS,
                "responses": {
                    "200": _json("A page of results", {"$ref": "#/components/schemas/SearchPage"}),
                    "304": {"description": "Not modified (If-None-Match)"},
                    "400": _error("A filter is not valid"),
                    **_COMMON,
                },
            }
        },
        "/videos/{video_id}": _get(
            "A video in every language", _json("The video", video), _VIDEO_ID, _LANG
        ),
        "/videos/{video_id}/renditions": _get(
            "Renditions with their sizes",
            _json("Renditions", {"type": "object"}),
            _VIDEO_ID,
        ),
        "/videos/{video_id}/shots": _get(
            "The shot list of each language", _json("Shots", {"type": "object"}), _VIDEO_ID
        ),
        "/videos/{video_id}/downloads": _get(
            "Download links", _json("Downloads", {"type": "object"}), _VIDEO_ID
        ),
        "/videos/{video_id}/download/{name}": _get(
            "Download the original or a rendition (logged)",
            _FILE,
            _VIDEO_ID,
            {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}},
            extra={"403": _error("E-mail not verified or usage terms not accepted")},
        ),
        "/videos/{video_id}/clips": {
            "post": {
                "summary": "Ask for a frame-accurate clip",
                "parameters": [_VIDEO_ID],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/ClipSelection"}
                        }
                    },
                },
                "responses": {
                    "202": _json("Accepted", {"$ref": "#/components/schemas/ClipStatus"}),
                    "400": _error("The selection is not valid"),
                    "403": _error("E-mail not verified or usage terms not accepted"),
                    "409": _error("The video cannot be cut (yet)"),
                    **_COMMON,
                },
            }
        },
        "/clips/{request_id}": _get(
            "A clip request's status",
            _json("Status", {"$ref": "#/components/schemas/ClipStatus"}),
            {"name": "request_id", "in": "path", "required": True, "schema": _ID},
        ),
        "/clips/{request_id}/download": _get(
            "Download a clip (logged with in/out)",
            _FILE,
            {"name": "request_id", "in": "path", "required": True, "schema": _ID},
            extra={
                "403": _error("E-mail not verified or usage terms not accepted"),
                "409": _error("Not ready yet"),
            },
        ),
    }


def document():
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Rushes API",
            "version": "1.0.0",
            "description": "Read-only access to the video library, and clip requests. "
            "Every operation but this document needs `Authorization: Bearer <token>`; "
            "tokens are made on the account page.",
        },
        "servers": [{"url": links.site_url("/api/v1")}],
        "security": [{"bearer": []}],
        "paths": _paths(),
        "components": {
            "schemas": _SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
