"""The API describing itself: the OpenAPI document and its reference page."""
