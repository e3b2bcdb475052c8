"""What Python can tell about jsii objects without a round trip to Node.js."""

from __future__ import annotations

from jsii._reference_map import InterfaceDynamicProxy

__all__ = ["implements"]


def implements(value: object, interface: type) -> bool:
    """Whether the jsii object ``value`` implements the jsii ``interface`` (``ISecret``,
    ``IParameter``, ``IRepository``...), answered in Python, without a round trip.

    ``isinstance`` cannot answer: jsii interfaces are not runtime-checkable protocols, and an
    imported resource (``Secret.from_secret_name_v2``) is a dynamic proxy of its interfaces.
    """
    proxy_of = getattr(interface, "__jsii_proxy_class__", None)
    proxy = proxy_of() if callable(proxy_of) else None
    if isinstance(value, InterfaceDynamicProxy):
        classes = [type(delegate) for delegate in value._delegates]
    else:
        classes = [type(value)]
    for cls in classes:
        mro = cls.__mro__
        if interface in mro or (proxy is not None and proxy in mro):
            return True
        if any(interface in base.__mro__ for base in getattr(cls, "__jsii_ifaces__", ())):
            return True
    return False
