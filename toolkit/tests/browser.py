"""Helpers for the Playwright tests."""

from __future__ import annotations

from toolkit.tests.factories import TEST_PASSWORD


def sign_in(page, user) -> None:
    """Sign in through the real form (the factories' password) and wait for the workgroup page."""
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/w/**")


# Visible elements whose box reaches past the layout viewport, outermost only, unless an ancestor scrolls or clips
# them (a .table-responsive): what is out of sight there is reached by that ancestor's own scrollbar.
FIND_OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    const contained = element => {
        for (let parent = element.parentElement; parent && parent !== document.body; parent = parent.parentElement) {
            if (getComputedStyle(parent).overflowX !== "visible") return true;
        }
        return false;
    };
    const offenders = [];
    for (const element of document.body.querySelectorAll("*")) {
        const box = element.getBoundingClientRect();
        if (box.width === 0 || box.height === 0 || getComputedStyle(element).visibility === "hidden") continue;
        if (element.closest(".visually-hidden, .visually-hidden-focusable:not(:focus)")) continue;  // 1 px, clipped
        if ((box.right <= width + 0.5 && box.left >= -0.5) || contained(element)) continue;
        if (offenders.some(outer => outer.element.contains(element))) continue;
        offenders.push({element, text: `<${element.tagName.toLowerCase()} class="${element.className}"> `
            + `${Math.round(box.left)}..${Math.round(box.right)} px: `
            + JSON.stringify((element.innerText || element.value || "").trim().slice(0, 60))});
    }
    return {scrollWidth: document.documentElement.scrollWidth, clientWidth: width,
            offenders: offenders.map(offender => offender.text)};
}"""
