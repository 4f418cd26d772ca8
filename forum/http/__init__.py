"""The HTTP toolkit every front end shares (forum pages, the API, moderation, search): the API
blueprint, request parsing, serializers, the OpenAPI builder, form helpers, URLs, error pages and
problem+json, who is calling, security headers, rate limits and the signed-out page cache.
"""
