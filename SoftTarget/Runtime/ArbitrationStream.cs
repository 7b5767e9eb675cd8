using System.Threading.Channels;
using Proto.P4.V1;

namespace SoftTarget.Runtime;

/// <summary>One client's StreamChannel: what it claimed (role, election id) and where its messages go.</summary>
internal sealed class ArbitrationStream
{
    public ArbitrationStream(ChannelWriter<StreamMessageResponse> outbound)
    {
        Outbound = outbound;
    }

    public ChannelWriter<StreamMessageResponse> Outbound { get; }

    public bool Arbitrated { get; set; }

    public string Role { get; set; } = string.Empty;

    /// <summary>Null: the client sent no election id and can only be a backup.</summary>
    public UInt128? ElectionId { get; set; }
}
