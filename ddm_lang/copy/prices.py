"""Prices and numbers as copy writes them, by language: one formatter for captions and the
template functions `price` and `sale_price`, so a creative never shows one price two ways."""

from __future__ import annotations

from . import phrases


def number_text(value: float, lang: str, decimals: int | None = None) -> str:
    sep, _ = phrases.NUMBER_STYLE.get(lang, (".", False))
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 2
    text = f"{value:,.{decimals}f}" if sep == "." else f"{value:.{decimals}f}"
    return text.replace(".", sep) if sep != "." else text


def format_price(amount: float, currency: str | None, lang: str) -> str:
    """"$2.50", "€18", "¥199", "12,90 kr", "1,99 €" (de): whole amounts without decimals,
    others with two; thousands grouped only where the decimal mark is a point."""
    number = number_text(amount, lang)
    if not currency:
        return number
    code = currency.upper()
    symbol = phrases.CURRENCY_SYMBOLS.get(code)
    _, after = phrases.NUMBER_STYLE.get(lang, (".", False))
    if symbol is None:
        return f"{number} {code}"
    if symbol.isalpha() or after:
        return f"{number} {symbol}"
    return f"{symbol}{number}"
