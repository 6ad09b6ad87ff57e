# pragma version ^0.4.0
# An ERC20 in the style of early tokens (MKR, SAI): name and symbol are bytes32, not strings.

event Transfer:
    sender: indexed(address)
    receiver: indexed(address)
    value: uint256

name: public(bytes32)
symbol: public(bytes32)
decimals: public(uint8)
balanceOf: public(HashMap[address, uint256])
minter: address


@deploy
def __init__(_name: bytes32, _symbol: bytes32, _decimals: uint8):
    self.name = _name
    self.symbol = _symbol
    self.decimals = _decimals
    self.minter = msg.sender


@external
def mint(_to: address, _value: uint256):
    assert msg.sender == self.minter, "only the minter mints"
    self.balanceOf[_to] += _value
    log Transfer(sender=empty(address), receiver=_to, value=_value)


@external
def transfer(_to: address, _value: uint256) -> bool:
    self.balanceOf[msg.sender] -= _value
    self.balanceOf[_to] += _value
    log Transfer(sender=msg.sender, receiver=_to, value=_value)
    return True
