"""The staff console: HTML pages under /console/, served by the same Chalice app as the API.

Only `routes` is imported when the app starts; everything a page needs (jinja2,
the forms, the i18n catalogue) is imported by the first console request, so
the API's cold start does not pay for the console.
"""
