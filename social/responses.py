"""The social web's JSON answers, shared by the views and the negotiation middleware."""

from django.http import HttpResponse, JsonResponse

from social import documents


def activity_response(document: dict, status: int = 200) -> HttpResponse:
    """Return an ActivityStreams document any site's script may read."""
    response = JsonResponse(document, status=status, content_type=documents.ACTIVITY_JSON)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Vary"] = "Accept"
    return response


def error(status: int, message: str) -> JsonResponse:
    """Return an error as JSON, with a message that says what was wrong."""
    return JsonResponse({"error": message}, status=status)
