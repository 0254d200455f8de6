using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace ChargeManager.Host;

/// <summary>
/// Kestrel answers a request line whose version it cannot read ("HTT(/1.1", "HTTP/1.x") with
/// "505 HTTP Version Not Supported" before any application code runs. A mangled request is the
/// client's fault: the API answers 4xx to every malformed request (issue 13), so this connection
/// filter rewrites that one status line, in place and of the same length, to "400 Bad Request (HTTP version)".
/// </summary>
public static class Http505Rewrite
{
    static readonly byte[] From = "HTTP/1.1 505 HTTP Version Not Supported"u8.ToArray();
    static readonly byte[] To = "HTTP/1.1 400 Bad Request (HTTP version)"u8.ToArray();

    public static void Use(IConnectionBuilder listen) => listen.Use(next => async connection =>
    {
        var transport = connection.Transport;
        var output = PipeWriter.Create(new RewriteStream(transport.Output.AsStream(leaveOpen: true)));
        connection.Transport = new Duplex(transport.Input, output);
        try
        {
            await next(connection);
        }
        finally
        {
            await output.CompleteAsync();
            connection.Transport = transport;
        }
    });

    sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;
        public PipeWriter Output => output;
    }

    sealed class RewriteStream(Stream inner) : Stream
    {
        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken token = default)
        {
            if (buffer.Length >= From.Length && buffer.Span.StartsWith(From))
            {
                var copy = buffer.ToArray();
                To.CopyTo(copy, 0);
                buffer = copy;
            }
            await inner.WriteAsync(buffer, token);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken token) =>
            WriteAsync(buffer.AsMemory(offset, count), token).AsTask();
        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count, default).GetAwaiter().GetResult();
        public override Task FlushAsync(CancellationToken token) => inner.FlushAsync(token);
        public override void Flush() => inner.Flush();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
