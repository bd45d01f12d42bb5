#!/usr/bin/python3
"""Crafted IPv4/TCP packets for tests/tcp_kernel_attack_test.cpp, built with
Debian's python3-scapy and sent through a raw socket of the network namespace
this process runs in (the test's), so they cross the TUN device to lim like any
packet of the kernel's.

A co-process: one command a line on stdin, one answer a line on stdout
("ok sent=N" or "error WHY"), until stdin closes. Commands are words of
key=value:

  segment src=A dst=A sport=P dport=P seq=N ack=N flags=BITS [window=N]
          [payload=HEX] [options=HEX] [dataofs=N] [checksum=bad]
          [truncate=N] [fragment=N] [count=N] [step=N]
      One TCP segment, `count` times, the sequence number `step` further
      each time. `options` are raw option bytes put in
      the header as they are (the data offset covers them unless `dataofs`
      says otherwise); `checksum=bad` corrupts the TCP checksum; `truncate`
      keeps only the first N octets of the TCP header and what follows;
      `fragment` sends it as IP fragments of N octets of payload each.
  ready
      Nothing: the answer says scapy was imported.
  flood dport=P count=N seed=S [rst=1]
      N SYNs from random addresses in 198.18.1.0-198.19.255.255 and random
      ports: addresses no one in the namespace owns, so no one answers lim's
      SYN-ACKs (a spoofed flood). With rst=1 each SYN is followed by the RST
      its sender can make without seeing the SYN-ACK: SEQ = ISN + 1.

The raw socket (IPPROTO_RAW) fills in the IP checksum and total length
itself, so what is malformed here is always TCP's part.
"""
import random
import socket
import sys

from scapy.layers.inet import IP, TCP, fragment
from scapy.packet import Raw


def words(line):
    fields = {}
    for word in line.split()[1:]:
        key, _, value = word.partition("=")
        fields[key] = value
    return fields


def number(fields, key, default=0):
    return int(fields[key], 0) if key in fields else default


def build(fields):
    options = bytes.fromhex(fields.get("options", ""))
    payload = bytes.fromhex(fields.get("payload", ""))
    if len(options) % 4:
        raise ValueError("options must fill whole words")
    dataofs = number(fields, "dataofs", 5 + len(options) // 4)
    tcp = TCP(sport=number(fields, "sport"), dport=number(fields, "dport"), seq=number(fields, "seq"),
              ack=number(fields, "ack"), flags=number(fields, "flags"), window=number(fields, "window", 65535),
              dataofs=dataofs)
    ip = IP(src=fields["src"], dst=fields["dst"], id=random.randint(1, 0xFFFF), flags=0)
    packet = bytearray(bytes(ip / tcp / Raw(options + payload)) if options or payload else bytes(ip / tcp))
    header = (packet[0] & 0x0F) * 4
    if fields.get("checksum") == "bad":
        packet[header + 16] ^= 0x55
        packet[header + 17] ^= 0x55
    if "truncate" in fields:
        return [bytes(packet[:header + number(fields, "truncate")])]
    if "fragment" in fields:
        return [bytes(piece) for piece in fragment(IP(bytes(packet)), fragsize=number(fields, "fragment"))]
    return [bytes(packet)]


def flood(fields, out):
    rng = random.Random(number(fields, "seed", 1))
    template = IP(dst="198.18.0.2") / TCP(dport=number(fields, "dport"), flags="S", window=64240,
                                          options=[("MSS", 1460)])
    sent = 0
    for _ in range(number(fields, "count")):
        address = 0xC6120000 + rng.randint(0x100, 0x1FFFF)  # 198.18.1.0 .. 198.19.255.255
        template[IP].src = socket.inet_ntoa(address.to_bytes(4, "big"))
        template[IP].id = rng.randint(1, 0xFFFF)
        template[TCP].sport = rng.randint(1024, 65535)
        template[TCP].seq = rng.getrandbits(32)
        out.sendto(bytes(template), ("198.18.0.2", 0))
        sent += 1
        if number(fields, "rst"):
            reset = template.copy()
            reset[TCP].flags = "R"
            reset[TCP].seq = (template[TCP].seq + 1) & 0xFFFFFFFF
            reset[TCP].options = []
            reset[IP].id = (template[IP].id + 1) & 0xFFFF
            out.sendto(bytes(reset), ("198.18.0.2", 0))
            sent += 1
    return sent


def main():
    out = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            fields = words(line)
            if line == "ready":
                sent = 0
            elif line.startswith("segment "):
                sent = 0
                seq = number(fields, "seq")
                for _ in range(number(fields, "count", 1)):
                    fields["seq"] = str(seq)
                    for packet in build(fields):
                        out.sendto(packet, (fields["dst"], 0))
                        sent += 1
                    seq = (seq + number(fields, "step")) & 0xFFFFFFFF
            elif line.startswith("flood "):
                sent = flood(fields, out)
            else:
                raise ValueError("unknown command: " + line.split()[0])
            print("ok sent=%d" % sent, flush=True)
        except Exception as error:  # the test reads the reason
            print("error %s: %s" % (type(error).__name__, error), flush=True)


if __name__ == "__main__":
    main()
