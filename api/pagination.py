from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """``{"count", "next", "previous", "results"}`` with ``?page=`` and ``?page_size=`` (max 100).

    The count is a COUNT(*) of the filtered list: fine for the sizes a desk sees day to day, but on
    a million-ticket table an unfiltered count is a full index scan; a cursor pagination (no
    count) is the way out if that ever shows up in the slow-query log.
    """

    page_size_query_param = "page_size"
    max_page_size = 100
