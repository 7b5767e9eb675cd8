using Xunit;

namespace FelixApiProxy.Tests;

public sealed class ProxyOptionsTests
{
    [Fact]
    public void Parse_NoArguments_IsTheNodeDefault()
    {
        var options = ProxyOptions.Parse([], socketFromEnvironment: null);

        Assert.Equal(new ProxyOptions("/var/run/calico/felix-dataplane.sock", 10, TimeSpan.FromSeconds(1)), options);
    }

    [Theory]
    [InlineData("--socket", "/run/a.sock")]
    [InlineData("--socket=/run/a.sock", null)]
    public void Parse_SocketFlag_OverridesTheEnvironment(string first, string? second)
    {
        string[] args = second is null ? [first] : [first, second];

        var options = ProxyOptions.Parse(args, socketFromEnvironment: "/run/env.sock");

        Assert.Equal("/run/a.sock", options?.SocketPath);
    }

    [Fact]
    public void Parse_Environment_OverridesTheDefault()
    {
        Assert.Equal("/run/env.sock", ProxyOptions.Parse([], "/run/env.sock")?.SocketPath);
    }

    [Theory]
    [InlineData("-h")]
    [InlineData("--help")]
    public void Parse_Help_IsNull(string flag)
    {
        Assert.Null(ProxyOptions.Parse(["--socket", "/x", flag], null));
    }

    [Theory]
    [InlineData(new[] { "--socket" }, "--socket needs a path")]
    [InlineData(new[] { "--socket=" }, "unknown argument '--socket='")]
    [InlineData(new[] { "extra" }, "unknown argument 'extra'")]
    public void Parse_BadArguments_SayWhatIsWrong(string[] args, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => ProxyOptions.Parse(args, null));

        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }
}
