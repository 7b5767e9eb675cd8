using Packets;

namespace InfraAgent.Cni.PodInterfaces;

/// <summary>A TAP port of the target, by the name it has in the host namespace and its MAC.</summary>
internal readonly record struct TapInterface(string Name, MacAddress Mac);
