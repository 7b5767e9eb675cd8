using Packets;

namespace InfraManager.State;

/// <summary>DeleteNetwork: forget the pod at <paramref name="Ip"/>. An unknown IP is nothing to do (CNI DEL may repeat).</summary>
internal sealed record DeletePod(IPv4Address Ip) : StateCommand
{
    public override ManagerState Apply(ManagerState state, IdAllocator ids)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.Endpoints.TryGetValue(Ip, out var existing))
        {
            return state;
        }

        if (existing.Kind != EndpointKind.Pod)
        {
            throw new CommandRejectedException($"{Ip} is not a pod: it is {AddPod.Describe(existing)}");
        }

        return state with { Endpoints = state.Endpoints.Remove(Ip) };
    }

    public override string ToString() => $"pod {Ip}";
}
