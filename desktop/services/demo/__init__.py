"""示例数据: the sample city."""
