"""通报 page and its 典型案例 tab."""
