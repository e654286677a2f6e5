import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PREVIEW = reverse("admin:posts_entry_markdownify")


def test_preview_renders_through_the_same_pipeline(staff_client, client):
    response = staff_client.post(PREVIEW, {"content": "# Hi\n\n<script>x</script>"})
    assert response.status_code == 200
    assert response.content.decode() == "<h1>Hi</h1>\n"
    # An ended session: a note for the preview pane, not the admin's login page in it.
    anonymous = client.post(PREVIEW, {"content": "# Hi"})
    assert anonymous.status_code == 403
    assert "session has ended" in anonymous.content.decode()
    assert "<form" not in anonymous.content.decode()
    assert staff_client.get(PREVIEW).status_code == 405
