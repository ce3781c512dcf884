"""The only way into a page is app.py's router, whatever the first request in a process.

Streamlit treats a folder named `pages/` beside the main script as old-style multipage pages
until `st.navigation` has been called once in the process: it lists every file in the sidebar
and runs the file a URL names (`/review_queue` runs `pages/review_queue.py`) without app.py,
so without the sign-in gate. After every server start, the first request for a page URL, or a
tab that reconnects after a restart, would do exactly that. Three pieces close it:

- `run(page)`: app.py runs the page `st.navigation` chose through this, which marks the script
  run as routed while the page runs, and only then.
- `guard(__file__)`: the first statement of every page. In a run without the mark, the page
  renders nothing: it runs app.py in its own place, in the same script run, and stops. app.py
  then sees the request as it came (the same URL, the same widget events) and routes it.
- `entry(...)`: the pages for someone who is not signed in (the sign-in form, or the
  first-admin form). Any page URL shows that form and keeps its URL, so the rerun after
  signing in asks the router for the page that was asked for; the router serves it when the
  person's roles include it, and their default page otherwise. A tab left open across a
  restart asks for a page by the page's id, not by the URL it shows (a menu link clicked
  there names the page clicked); so the form is registered under every page's URL.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from pathlib import Path
from urllib.parse import unquote, urlsplit

import streamlit as st
from streamlit.errors import StreamlitAPIException

# The router, relative to the main script's folder as st.Page resolves it.
ROUTER = "app.py"
PAGES = Path(__file__).resolve().parents[2] / "pages"

# Set only while app.py runs the page it chose, and reset when that page returns or raises: a
# mark for this script run alone. A session's earlier routed runs leave nothing behind, and a
# context variable is not shared between the threads that run different sessions' scripts.
_ROUTED: ContextVar[bool] = ContextVar("studio_routed", default=False)

_URL_PATH = re.compile(r"[A-Za-z0-9_-]+")


def run(page: st.Page) -> None:
    """Run the page `st.navigation` returned, marked as routed (app.py's last statement)."""
    token = _ROUTED.set(True)
    try:
        page.run()
    finally:
        _ROUTED.reset(token)


def guard(page_file: str) -> None:
    """First statement of every page: outside a routed run, run the router instead and stop."""
    if _ROUTED.get():
        return
    try:
        # The router, twice: at the root (st.navigation needs a default page) and, hidden, under
        # this page's URL path, which is what this run asked for; so st.navigation finds it
        # and sends the browser no "page not found". This call also ends the pages/ mode for
        # the whole process, and its menu (one visible entry: none shown) replaces the file list.
        wanted = st.Page(Path(page_file)).url_path
        router = st.navigation([
            st.Page(ROUTER, url_path="", default=True),
            st.Page(ROUTER, url_path=wanted, visibility="hidden"),
        ], position="hidden")
    except StreamlitAPIException:
        # No router beside this page: the file was started as the main script.
        st.stop()
    # app.py's own st.navigation resolves the page this run asked for and runs it through
    # run(), in this same run: a rerun would lose the run's widget events.
    router.run()
    st.stop()


def requested_path() -> str | None:
    """The page part of the URL the browser shows (`review_queue` in `…/review_queue`), if any.

    `st.context.url` ends with the page this run is on; before st.navigation has run in a
    session it is the URL as typed.
    """
    url = st.context.url
    if not url:
        return None
    path = unquote(urlsplit(url).path).strip("/")
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    if base and (path == base or path.startswith(base + "/")):
        path = path.removeprefix(base)
    last = path.rsplit("/", 1)[-1]
    return last if _URL_PATH.fullmatch(last) else None


def entry(page_file: str, *, title: str, icon: str) -> list[st.Page]:
    """The pages for someone who is not signed in: one form, also under the URL asked for.

    The form is the default page, at the root. The URL asked for gets a hidden page running the
    same form, so the person sees the form there, and the rerun after signing in (which stays on
    the current page) asks the router for that page.
    """
    pages = [st.Page(page_file, title=title, icon=icon, url_path="", default=True)]
    # Streamlit resolves a run by the id of the page it names before its URL, and that id is
    # the page's URL path: a click in a tab from before a restart names the page clicked,
    # while the URL it reports is the one the tab showed. Each page URL therefore gets the
    # form, and the URL typed in too when it is not a page (the router then says no more).
    wanted = {st.Page(path).url_path for path in PAGES.glob("*.py")}
    typed = requested_path()
    if typed:
        wanted.add(typed)
    for url_path in sorted(wanted):
        pages.append(st.Page(page_file, title=title, icon=icon, url_path=url_path, visibility="hidden"))
    return pages


def with_home(sections: dict[str, list[st.Page]]) -> dict[str, list[st.Page]]:
    """The signed-in pages, and a hidden home at the root that is the first of them.

    Streamlit serves its default page at the root only: as the default, the first page's own
    URL (an editor's bookmarked `/review_queue`, a marketer's `/draft`) would be "page not
    found". With a home of its own as the default, every page keeps its URL, and the root
    (where signing in lands when no page was asked for) shows the person's first page.
    """
    first = next(page for pages in sections.values() for page in pages)
    home = st.Page(PAGES / f"{first.url_path}.py", title=first.title, icon=first.icon, url_path="", default=True,
                   visibility="hidden")  # fmt: skip
    return {"": [home], **sections}


def menu(sections: dict[str, list[st.Page]]) -> None:
    """The sidebar menu of the pages a person has, drawn by the router itself.

    Streamlit's own menu is off (`client.showSidebarNavigation`), because the same switch would
    otherwise show the files of pages/ for a moment on the first request of a process.
    """
    with st.sidebar:
        for title, pages in sections.items():
            st.caption(title)
            for page in pages:
                st.page_link(page, label=page.title, icon=page.icon)
