"""What a browser would send for a form on a page (lxml reads the HTML, as a browser would)."""

from __future__ import annotations

import lxml.html
from urllib3 import encode_multipart_formdata
from werkzeug.datastructures import MultiDict


def form_fields(html: str, form_id: str = "editor-form") -> MultiDict:
    """The form's successful controls, in document order (no submit button, no file)."""
    doc = lxml.html.fromstring(html)
    form = doc.get_element_by_id(form_id)
    out: MultiDict = MultiDict()
    for el in form.iter("input", "textarea", "select"):
        name = el.get("name")
        if not name or el.get("disabled") is not None:
            continue
        if el.tag == "input":
            kind = (el.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                continue
            if kind in ("checkbox", "radio") and el.get("checked") is None:
                continue
            out.add(name, el.get("value") or ("on" if kind in ("checkbox", "radio") else ""))
        elif el.tag == "textarea":
            text = el.text or ""
            out.add(name, text[1:] if text.startswith("\n") else text)
        else:
            chosen = [o for o in el.iter("option") if o.get("selected") is not None]
            options = list(el.iter("option"))
            option = chosen[-1] if chosen else (options[0] if options else None)
            if option is not None:
                out.add(name, option.get("value", option.text or ""))
    return out


def multipart(form: MultiDict) -> dict:
    """``client.post`` arguments for ``form`` as a browser sends it (multipart/form-data).

    urllib3's encoder, not the Werkzeug test client's: that one writes an empty field
    without the line break before the next boundary, which Werkzeug's parser misreads
    when the break falls at a buffer's edge (a form of some thousand fields hits it)."""
    body, content_type = encode_multipart_formdata(list(form.items(multi=True)))
    return {"data": body, "content_type": content_type}
