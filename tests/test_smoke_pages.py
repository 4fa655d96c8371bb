from tests.helpers import get_page


def test_start_page(client):
    page = get_page(client, "/")
    assert page.h1 == "SEND Family Portal"
    assert "Sign in" in page.text
