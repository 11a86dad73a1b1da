"""QTI content packages (zip with ``imsmanifest.xml``), read from bytes.

One reader for what LMSs hand out:

* Canvas quiz exports and text2qti zips: resources of type ``imsqti_xmlv1p2``;
* Blackboard exports: ``res00001.dat`` files named by ``bb:file``, holding
  QTI 1.2 pools and tests (``assessment/x-bb-qti-pool``, ``...-test``);
* QTI 2.1 and 3.0 packages: ``imsqti_item_xmlv2p1`` / ``imsqti_item_xmlv3p0``
  items, ordered and grouped by the ``assessmentTest`` when there is one (a
  section is a skill; an item reference's ``category`` names secondary skills).

Archives are read in memory with limits on entry count and expanded size, and
only the files the manifest names are opened, so a zip bomb or a path like
``../../etc/passwd`` does nothing worse than fail the import with a message.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from xml.etree.ElementTree import Element

from adaptive.importers.draft import Draft, ImportError_
from adaptive.importers.qti2 import read_assessment_item
from adaptive.importers.qti12 import read_questestinterop
from adaptive.importers.xml import QTI3_MARK, element_text, parse_xml

__all__ = ["MAX_ENTRIES", "MAX_EXPANDED_BYTES", "read_package"]

MAX_ENTRIES = 5000
MAX_EXPANDED_BYTES = 64 * 1024 * 1024
_XML_SUFFIXES = (".xml", ".dat", ".qti")


class _Zip:
    def __init__(self, data: bytes) -> None:
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as exc:
            raise ImportError_(f"not a readable zip archive ({exc})") from exc
        infos = self.zf.infolist()
        if len(infos) > MAX_ENTRIES:
            raise ImportError_(f"the archive has more than {MAX_ENTRIES} files")
        if sum(i.file_size for i in infos) > MAX_EXPANDED_BYTES:
            raise ImportError_(f"the archive expands to more than "
                               f"{MAX_EXPANDED_BYTES // (1024 * 1024)} MB")
        self.names = {i.filename.lstrip("/"): i for i in infos if not i.is_dir()}

    def read(self, name: str) -> bytes | None:
        info = self.names.get(posixpath.normpath(name).lstrip("/"))
        if info is None:
            return None
        # file_size is what the header claims; read at most that much plus one byte.
        with self.zf.open(info) as fh:
            data = fh.read(info.file_size + 1)
        if len(data) > info.file_size:
            raise ImportError_(f"{info.filename}: the archive lies about its size")
        return data


def _manifest_title(manifest: Element) -> str:
    for title in manifest.iter("title"):
        text = element_text(title).strip()
        if text:
            return text
    return ""


def _manifest_description(manifest: Element) -> str:
    for general in manifest.iter("general"):
        for desc in general.iter("description"):
            text = element_text(desc).strip()
            if text:
                return text
    return ""


def _resources(manifest: Element) -> list[tuple[str, str, list[str]]]:
    """``[(identifier, type, [paths])]`` in manifest order, paths relative to the root."""
    out = []
    for res in manifest.iter("resource"):
        base = res.get("base") or ""  # xml:base (namespace dropped)
        paths: list[str] = []
        for href in [res.get("href"), res.get("file")] + [f.get("href") for f in
                                                          res.findall("file")]:
            if not href:
                continue
            path = posixpath.normpath(posixpath.join(base, href) if base and href == res.get(
                "href") and not href.startswith("/") else href).lstrip("/")
            if path.lower().endswith(_XML_SUFFIXES) and path not in paths:
                paths.append(path)
        out.append((res.get("identifier") or "", res.get("type") or "", paths))
    return out


def _sections(test: Element, test_path: str) -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """Item path -> (section title, section identifier, categories) from an assessmentTest."""
    out: dict[str, tuple[str, str, tuple[str, ...]]] = {}
    folder = posixpath.dirname(test_path)

    def walk(node: Element, title: str, ident: str) -> None:
        for child in node:
            if child.tag == "assessmentSection":
                walk(child, child.get("title") or title, child.get("identifier") or ident)
            elif child.tag == "assessmentItemRef":
                href = child.get("href") or ""
                path = posixpath.normpath(posixpath.join(folder, href)).lstrip("/")
                cats = tuple((child.get("category") or "").split())
                out.setdefault(path, (title, ident, cats))
            else:
                walk(child, title, ident)

    walk(test, test.get("title") or "", "")
    return out


def read_package(data: bytes, filename: str = "package.zip") -> Draft:
    """Read a QTI package into a draft; ``ImportError_`` when it is not one."""
    archive = _Zip(data)
    manifest_bytes = archive.read("imsmanifest.xml")
    if manifest_bytes is None:
        raise ImportError_("the zip has no imsmanifest.xml at its root: not a QTI or "
                           "LMS export package")
    manifest = parse_xml(manifest_bytes, "imsmanifest.xml")
    stem = posixpath.splitext(posixpath.basename(filename))[0]
    draft = Draft("qti", _manifest_title(manifest) or stem,
                  description=_manifest_description(manifest))
    resources = _resources(manifest)

    docs: dict[str, Element] = {}

    def doc(path: str) -> Element | None:
        if path not in docs:
            raw = archive.read(path)
            if raw is None:
                draft.skip(path, "listed in the manifest but missing from the archive")
                return None
            try:
                docs[path] = parse_xml(raw, path)
            except ImportError_ as exc:
                draft.skip(path, str(exc))
                return None
        return docs[path]

    placement: dict[str, tuple[str, str, tuple[str, ...]]] = {}
    order: list[str] = []
    versions: set[str] = set()
    for _, _, paths in resources:
        for path in paths:
            root = doc(path) if path in archive.names or path in docs else None
            if root is not None and root.tag == "assessmentTest":
                if root.get("title") and not draft.source_title:
                    draft.source_title = root.get("title")
                    draft.module_id = root.get("identifier")
                found = _sections(root, path)
                for item_path in found:
                    placement.setdefault(item_path, found[item_path])
                    if item_path not in order:
                        order.append(item_path)
    for _, _, paths in resources:
        for path in paths:
            if path not in order:
                order.append(path)

    seen_any = False
    for path in order:
        if path not in archive.names:
            if path in placement:
                draft.skip(path, "listed in the test but missing from the archive")
            continue
        root = doc(path)
        if root is None:
            continue
        if root.tag == "questestinterop":
            versions.add("qti-1.2")
            read_questestinterop(root, draft, posixpath.basename(path))
            seen_any = True
        elif root.tag == "assessmentItem":
            versions.add("qti-3.0" if root.get(QTI3_MARK) else "qti-2.1")
            title, ident, cats = placement.get(path, ("", "", ()))
            category = title or None
            if category and ident:
                draft.skill_ids.setdefault(category, ident)
            read_assessment_item(root, draft, path, category, cats)
            seen_any = True
        elif root.tag == "assessmentStimulus":
            draft.skip(path, "shared stimulus (reading passage) was left out")
    if not seen_any:
        raise ImportError_("the package holds no QTI questions (no questestinterop or "
                           "assessmentItem among the files its manifest lists)")
    draft.source_format = "+".join(sorted(versions))
    return draft
