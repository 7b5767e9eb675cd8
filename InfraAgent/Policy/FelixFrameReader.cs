using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;
using Proto.Felix;

namespace InfraAgent.Policy;

/// <summary>
/// Reads Felix's messages off a stream as felix-api-proxy passes them on (reference-behaviour.md 3.7): an
/// 8-byte little-endian length, then that many bytes of a serialized <see cref="ToDataplane"/>.
/// </summary>
internal sealed class FelixFrameReader
{
    /// <summary>Felix's largest messages (an IP set of every pod, a policy with many rules) stay far below this.</summary>
    public const int MaxMessageLength = 64 * 1024 * 1024;

    private const int LengthSize = 8;

    private readonly Stream _stream;
    private readonly byte[] _length = new byte[LengthSize];

    public FelixFrameReader(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
    }

    /// <summary>Frames read so far, the failed one included: the frame number a log line names.</summary>
    public long Frames { get; private set; }

    /// <summary>The next message, or null when the stream ended between two frames.</summary>
    /// <exception cref="FelixFrameException">The frame is too long, does not parse, or the stream ended inside it.</exception>
    public async Task<ToDataplane?> ReadAsync(CancellationToken cancellationToken)
    {
        var got = await _stream.ReadAtLeastAsync(_length, LengthSize, throwOnEndOfStream: false, cancellationToken);
        if (got == 0)
        {
            return null;
        }

        Frames++;
        if (got < LengthSize)
        {
            throw new FelixFrameException($"frame {Frames}: the stream ended after {got} of the {LengthSize} length bytes");
        }

        var length = BinaryPrimitives.ReadUInt64LittleEndian(_length);
        if (length > MaxMessageLength)
        {
            throw new FelixFrameException($"frame {Frames}: length {length} is over the {MaxMessageLength}-byte limit; not a Felix message");
        }

        var size = (int)length;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
        try
        {
            got = await _stream.ReadAtLeastAsync(buffer.AsMemory(0, size), size, throwOnEndOfStream: false, cancellationToken);
            if (got < size)
            {
                throw new FelixFrameException($"frame {Frames}: the stream ended after {got} of its {size} bytes");
            }

            try
            {
                return ToDataplane.Parser.ParseFrom(buffer.AsSpan(0, size));
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new FelixFrameException($"frame {Frames}: {size} bytes that are not a felix.ToDataplane ({e.Message})", e);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
