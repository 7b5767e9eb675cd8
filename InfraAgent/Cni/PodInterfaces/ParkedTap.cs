using Netlink;

namespace InfraAgent.Cni.PodInterfaces;

/// <summary>
/// The TAP of a deleted pod, still in the pod's namespace (held open here, so it outlives its path)
/// as <see cref="InterfaceName"/>. The next Add that needs a TAP moves it straight into its own pod,
/// one namespace move instead of two; otherwise it is brought home when the kernel worker is idle.
/// <see cref="Left"/> runs once it has left that namespace, whichever way.
/// </summary>
internal sealed class ParkedTap
{
    private Action? _left;

    public ParkedTap(TapInterface tap, NetworkNamespaceHandle network, string interfaceName, Action left)
    {
        ArgumentNullException.ThrowIfNull(network);
        Tap = tap;
        Namespace = network;
        InterfaceName = interfaceName;
        _left = left;
    }

    public TapInterface Tap { get; }

    public NetworkNamespaceHandle Namespace { get; }

    public string InterfaceName { get; }

    /// <summary>Closes the namespace and runs the owner's clean-up (drop the released cache entry, let the old pod's next operation in); once.</summary>
    public void Left()
    {
        if (Interlocked.Exchange(ref _left, null) is { } left)
        {
            Namespace.Dispose();
            left();
        }
    }
}
