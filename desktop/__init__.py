"""专治台账 — desktop ledger of the city's 危污乱散低 governance office."""

__version__ = "0.1.0"
APP_NAME = "专治台账"
APP_ID = "zhuanzhi-taizhang"
