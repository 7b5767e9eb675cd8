namespace InfraAgent;

/// <summary>The values of the tapAttach option (<see cref="AgentOptions.TapAttach"/>).</summary>
internal static class TapAttachModes
{
    /// <summary>The TAP moves into the pod's namespace and is its interface (reference-behaviour.md 6.4).</summary>
    public const string Move = "move";

    /// <summary>The TAP stays on the host; the pod's interface is a veth made in its namespace, joined to the TAP by tc.</summary>
    public const string Veth = "veth";
}
