"""moto's EC2: a subnet's free addresses counted over its own network interfaces, not over every one of the account.

DescribeSubnets writes each subnet's ``AvailableIpAddressCount``, which moto works out by walking every network
interface of the account for those in the subnet. Each instance MGN launches adds one, which moto keeps after the
instance is terminated, so ValidateInput's DescribeSubnets (once per migration) cost more with every server before
it: a whole call took 0.8 ms at 100 launched instances and 2.3 ms at 2,000; here ~0.6 ms at 100, 2,000 or 5,000.

Here each account's network interfaces are also kept by subnet ID, as moto makes and deletes them (its only two
ways of adding one to, or taking one from, an account), and a subnet's count reads the addresses of its own
interfaces then, as moto reads them. The index holds for the account's dict of interfaces it was made from, as long
as that dict's size and newest entry are what the index last saw: moto adds an interface at the dict's end under a
new ID, so an interface made or deleted while the index was not looking (with moto's own functions back in place)
changes one or the other, and the index is made again from the account's interfaces.
"""
from __future__ import annotations

import weakref
from typing import Any

from moto.ec2.models.elastic_network_interfaces import NetworkInterface, NetworkInterfaceBackend
from moto.ec2.models.subnets import Subnet

_CREATE = NetworkInterfaceBackend.create_network_interface
_DELETE = NetworkInterfaceBackend.delete_network_interface


class _BySubnet:
    """Subnet ID -> {interface ID: interface} over one account's dict of network interfaces."""

    def __init__(self, enis: dict[str, NetworkInterface]) -> None:
        self.enis = enis
        self.subnets: dict[str, dict[str, NetworkInterface]] = {}
        for eni in enis.values():
            self.subnets.setdefault(eni.subnet.id, {})[eni.id] = eni
        self._saw()

    def holds(self, enis: dict[str, NetworkInterface]) -> bool:
        """Whether the index still tells ``enis`` by subnet."""
        return enis is self.enis and len(enis) == self.size and _newest(enis) == self.newest

    def added(self, eni: NetworkInterface) -> None:
        self.subnets.setdefault(eni.subnet.id, {})[eni.id] = eni
        self._saw()

    def deleted(self, eni: NetworkInterface) -> None:
        del self.subnets[eni.subnet.id][eni.id]
        self._saw()

    def _saw(self) -> None:
        self.size = len(self.enis)
        self.newest = _newest(self.enis)


def _newest(enis: dict[str, NetworkInterface]) -> str | None:
    return next(reversed(enis), None)


_INDEXES: weakref.WeakKeyDictionary[NetworkInterfaceBackend, _BySubnet] = weakref.WeakKeyDictionary()


def _index(backend: NetworkInterfaceBackend) -> _BySubnet:
    """``backend``'s interfaces by subnet, made again when they changed unseen (or the account was reset)."""
    index = _INDEXES.get(backend)
    if index is None or not index.holds(backend.enis):
        index = _INDEXES[backend] = _BySubnet(backend.enis)
    return index


def create_network_interface(self: NetworkInterfaceBackend, *args: Any, **kwargs: Any) -> NetworkInterface:
    """``NetworkInterfaceBackend.create_network_interface``: moto's, the new interface noted under its subnet."""
    index = _INDEXES.get(self)
    in_step = index is not None and index.holds(self.enis)
    eni = _CREATE(self, *args, **kwargs)
    if in_step:
        index.added(eni)
    return eni


def delete_network_interface(self: NetworkInterfaceBackend, eni_id: str) -> None:
    """``NetworkInterfaceBackend.delete_network_interface``: moto's, the interface struck from its subnet's."""
    index = _INDEXES.get(self)
    in_step = index is not None and index.holds(self.enis)
    eni = self.enis.get(eni_id)
    _DELETE(self, eni_id)
    if in_step:
        index.deleted(eni)


def available_ip_address_count(self: Subnet) -> int:
    """``Subnet.available_ip_address_count``: the subnet's addresses less those its interfaces hold."""
    interfaces = _index(self.ec2_backend).subnets.get(self.id, {})
    return self._available_ip_addresses - sum(len(eni.private_ip_addresses) for eni in interfaces.values())


def replacements() -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement) for each of moto's functions this module replaces."""
    return [(NetworkInterfaceBackend, "create_network_interface", create_network_interface),
            (NetworkInterfaceBackend, "delete_network_interface", delete_network_interface),
            (Subnet, "available_ip_address_count", property(available_ip_address_count))]
