"""The page number of a paginated list (`?page=`), read the same way by every view.

Missing, empty or not a positive whole number ("abc", "-3", "0", "1.5") means the first page, as a
person editing the address by hand would expect. A number above MAX_PAGE is the 404 page without
touching the database (so 2**63 or 10**30 never reaches an OFFSET); a number above the list's own
last page is for the view to refuse with `abort(404)`, once it knows how many pages there are.
"""

from flask import abort, request, url_for

# No list in the service comes near this many pages (25 or 50 a page).
MAX_PAGE = 10_000


def page_number(name: str = "page") -> int:
    value = request.args.get(name, "")
    if not (value.isascii() and value.isdigit()):
        return 1
    digits = value.lstrip("0") or "0"
    # Count the digits first: int() refuses a string of more than 4,300 (a ValueError).
    if len(digits) > len(str(MAX_PAGE)) or int(digits) > MAX_PAGE:
        abort(404)
    return max(int(digits), 1)


def pagination_params(page: int, pages: int, endpoint: str, args: dict[str, str], landmark_label: str) -> dict | None:
    """GOV.UK pagination's parameters for a list at `endpoint` keeping its filters (`args`): the
    first, last, current and neighbouring pages, with ellipses between. None for a single page."""
    if pages <= 1:
        return None

    def href(number: int) -> str:
        return url_for(endpoint, **args, **({"page": number} if number > 1 else {}))

    shown = sorted({1, pages, page - 1, page, page + 1} & set(range(1, pages + 1)))
    items: list[dict] = []
    previous = 0
    for number in shown:
        if previous and number > previous + 1:
            items.append({"ellipsis": True})
        items.append({"number": number, "href": href(number), "current": number == page})
        previous = number
    pagination: dict = {"items": items, "landmarkLabel": landmark_label}
    if page > 1:
        pagination["previous"] = {"href": href(page - 1)}
    if page < pages:
        pagination["next"] = {"href": href(page + 1)}
    return pagination
