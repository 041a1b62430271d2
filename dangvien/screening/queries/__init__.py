"""Reads of screening cases (rà soát, sàng lọc): ``cases`` for the pages, the API and the
to-do; ``results`` for the yearly statistics."""
