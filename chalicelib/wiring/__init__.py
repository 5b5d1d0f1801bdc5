"""The composition root: `Container` builds every collaborator of a Lambda function (see container.py)."""
