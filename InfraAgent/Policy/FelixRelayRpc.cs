using Grpc.Core;
using Proto.Infra;

namespace InfraAgent.Policy;

/// <summary>One Felix payload's manager RPC: its name, for logs and metrics, and the call; the manager's errors arrive as <see cref="RpcException"/>.</summary>
internal readonly record struct FelixRelayRpc(string Name, Func<CallOptions, AsyncUnaryCall<Reply>> Send);
