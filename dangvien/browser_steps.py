"""Steps the browser tests share: log in, make a move through its panel (htmx), and wait
until a page has settled."""

from typing import Any

PASSWORD = "mat-khau-thu-nghiem"  # the factories' password

# htmx marks what is under way with these classes (on the element that asked, or its
# indicator) and takes them off when the new content is in place.
HTMX_AT_REST = "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"


def settle(page: Any) -> None:
    """Wait until the page has loaded and htmx has no request, swap or settle under way.

    What ``wait_for_load_state("networkidle")`` gave, without its half a second of
    network silence on every call (the requests a page makes after its load event are
    htmx's: its ``load`` triggers, searches and forms)."""
    page.wait_for_load_state()
    page.wait_for_function(HTMX_AT_REST)


def login(page: Any, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def submit(page: Any, control: Any) -> None:
    """Click a control that posts its form, and wait until the answer is shown: the page
    the server sends back (directly or through a redirect), or htmx's swap into this one."""
    by_htmx = control.evaluate("e => !!e.closest('[hx-post], [hx-put], [hx-patch], [hx-boost]')")
    if by_htmx:
        with page.expect_response(lambda r: r.request.method != "GET"):
            control.click()
        settle(page)
    else:
        with page.expect_navigation():
            control.click()


def move(page: Any, name: str, values: dict[str, str]) -> None:
    panel = page.locator(f"details[data-move='{name}']")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    for field, value in values.items():
        control = panel.locator(f"[name='{name}-{field}']")
        kind = control.first.evaluate("e => e.tagName + ':' + (e.type || '')")
        if kind.startswith("SELECT"):
            control.select_option(value)
        elif kind.endswith("radio"):
            panel.locator(f"[name='{name}-{field}'][value='{value}']").check()
        else:
            control.fill(value)
    with page.expect_response(lambda r: f"/{name}/" in r.url):
        panel.locator("button[type=submit]").click()
    settle(page)
