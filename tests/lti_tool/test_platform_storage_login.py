"""Login and launch with third-party cookies blocked, bound through platform storage."""

from __future__ import annotations

import re

from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import LaunchSession


def _login_page_data(client, lms):
    resp = client.get(
        "/lti/login",
        query_string={
            "iss": "https://lms.test",
            "login_hint": "u1",
            "client_id": "client-1",
            "target_link_uri": "http://localhost/lti/launch",
            "lti_storage_target": "_parent",
        },
    )
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    data = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', html))
    assert data["target"] == "_parent" and data["origin"] == "https://lms.test"
    assert "Open in a new window" in html  # the last fallback
    return data, html


def test_login_page_puts_binding_into_platform_storage(client, lms):
    data, html = _login_page_data(client, lms)
    assert "platform_storage.js" in html and data["binding"] and data["state"]
    assert "nonce=" in data["auth-url"]


def test_cookieless_launch_is_confirmed_by_platform_storage(client, lms):
    data, _ = _login_page_data(client, lms)
    nonce = re.search(r"nonce=([^&]+)", data["auth-url"]).group(1)
    token = lms.sign(lms.claims(nonce))
    cookieless = client.application.test_client()
    resp = cookieless.post("/lti/launch", data={"id_token": token, "state": data["state"]})
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert f'data-key="bw-bind-{data["state"]}"' in page
    launch_id = re.search(r'name="launch" value="([^"]+)"', page).group(1)
    # Not usable before it is confirmed.
    assert not db.session.get(LaunchSession, launch_id).confirmed
    done = cookieless.post(
        "/lti/launch/confirm", data={"launch": launch_id, "binding": data["binding"]}
    )
    assert done.status_code == 303 and "/lti/landing?t=" in done.headers["Location"]
    db.session.expire_all()
    assert db.session.get(LaunchSession, launch_id).confirmed


def test_wrong_binding_from_storage_is_refused(client, lms):
    data, _ = _login_page_data(client, lms)
    nonce = re.search(r"nonce=([^&]+)", data["auth-url"]).group(1)
    cookieless = client.application.test_client()
    resp = cookieless.post(
        "/lti/launch", data={"id_token": lms.sign(lms.claims(nonce)), "state": data["state"]}
    )
    launch_id = re.search(r'name="launch" value="([^"]+)"', resp.get_data(True)).group(1)
    bad = cookieless.post("/lti/launch/confirm", data={"launch": launch_id, "binding": "guess"})
    assert bad.status_code == 401 and "<code>state_mismatch</code>" in bad.get_data(True)
    landing_attempt = db.session.scalars(select(LaunchSession)).one()
    assert not landing_attempt.confirmed


def test_new_window_restart_skips_platform_storage(client, lms):
    data, html = _login_page_data(client, lms)
    restart = re.search(r'href="([^"]*bw_new_window=1[^"]*)"', html).group(1).replace("&amp;", "&")
    resp = client.get(restart)
    # The new window keeps the binding in its own tab, then goes to the LMS (no storage).
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "window_login.js" in page
    auth = re.search(r'data-auth-url="([^"]+)"', page).group(1)
    assert auth.startswith("https://lms.test/auth") and "lti_storage_target" not in auth


def test_the_storage_pages_speak_the_learners_language(client, lms):
    """Before the id_token the browser's language decides (Accept-Language), after it the
    launch's locale: a French learner's confirm page and its JavaScript texts are French."""
    resp = client.get("/lti/login", headers={"Accept-Language": "es-ES,es;q=0.9"},
                      query_string={"iss": "https://lms.test", "login_hint": "u1",
                                    "client_id": "client-1", "lti_storage_target": "_parent",
                                    "target_link_uri": "http://localhost/lti/launch"})
    login_page = resp.get_data(as_text=True)
    assert "Conectando con tu curso" in login_page and "Abrir en una ventana nueva" in login_page
    data = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', login_page))
    nonce = re.search(r"nonce=([^&]+)", data["auth-url"]).group(1)
    body = lms.claims(nonce)
    body["https://purl.imsglobal.org/spec/lti/claim/launch_presentation"]["locale"] = "fr-CA"
    cookieless = client.application.test_client()
    page = cookieless.post("/lti/launch", data={"id_token": lms.sign(body),
                                                "state": data["state"]}).get_data(as_text=True)
    assert '<html lang="fr"' in page
    assert "Connexion à votre cours" in page and "Vérification de ce lancement" in page
    assert 'data-slow="Votre LMS met du temps à répondre' in page
    assert "Your LMS" not in page and "Checking this launch" not in page
