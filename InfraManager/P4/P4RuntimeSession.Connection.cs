using Grpc.Core;
using P4Pipeline;
using Proto.P4.V1;

namespace InfraManager.P4;

internal sealed partial class P4RuntimeSession
{
    /// <summary>One StreamChannel and what it learnt; replaced as a whole on reconnect.</summary>
    private sealed class Connection : IDisposable
    {
        private readonly CancellationTokenSource _closing = new();
        private int _disposed;

        public Connection(P4Runtime.P4RuntimeClient client)
        {
            Closing = _closing.Token;
            Call = client.StreamChannel(cancellationToken: Closing);
        }

        public AsyncDuplexStreamingCall<StreamMessageRequest, StreamMessageResponse> Call { get; }

        public CancellationToken Closing { get; }

        public TaskCompletionSource Primary { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<Loss> Lost { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Written by the reader; read after a timeout for the error message.</summary>
        public MasterArbitrationUpdate? LastArbitration { get; set; }

        /// <summary>Guarded by the session's gate.</summary>
        public bool IsLost { get; set; }

        public P4InfoIndex Index { get; set; } = null!; // set before the connection is published

        public bool PipelineLoaded { get; set; }

        public Task Reader { get; set; } = Task.CompletedTask;

        /// <summary>Half-closes the stream so the target sees a clean end, then drops it.</summary>
        public async Task CloseAsync(TimeSpan wait)
        {
            try
            {
                await Call.RequestStream.CompleteAsync();
                await Reader.WaitAsync(wait);
            }
            catch (Exception e) when (e is RpcException or InvalidOperationException or TimeoutException or OperationCanceledException or IOException)
            {
                // Already broken or slow to close: dropping it below is all that is left to do.
            }

            Dispose();
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
            {
                return;
            }

            _closing.Cancel();
            Call.Dispose();
            _closing.Dispose();
        }
    }
}
