using System.Runtime.InteropServices;

namespace Packets.Sockets;

/// <summary>One classic BPF instruction, laid out as struct sock_filter (linux/filter.h): code, jt, jf, k.</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct SocketFilterInstruction(ushort Code, byte JumpIfTrue, byte JumpIfFalse, uint Constant);
