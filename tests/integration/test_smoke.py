"""Does the app start on each backend and serve the login page?"""


def test_login_page_renders(client):
    """Does the login page answer in Bahasa Indonesia with a CSRF token?"""
    page = client.get("/masuk")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Masuk ke SIMASN" in body and 'name="csrf_token"' in body
