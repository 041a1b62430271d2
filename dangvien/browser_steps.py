"""Steps the browser tests share: log in, and make a move through its panel (htmx)."""

from typing import Any

PASSWORD = "mat-khau-thu-nghiem"  # the factories' password


def login(page: Any, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


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
    page.wait_for_timeout(150)  # htmx settles the swap
