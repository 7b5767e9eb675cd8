using Xunit;

namespace InfraAgent.Tests;

public sealed class AgentOptionsValidatorTests
{
    [Theory]
    [InlineData("", "felixSocket: '' is not an absolute path")]
    [InlineData("run/felix.sock", "felixSocket: 'run/felix.sock' is not an absolute path")]
    [InlineData("/var/run/calico/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock", "is longer than a unix socket path may be (107 bytes)")]
    public void Validate_FelixSocketNotAUsableSocketPath_NamesTheKey(string path, string failure)
    {
        var result = new AgentOptionsValidator().Validate(null, new AgentOptions { FelixSocket = path });

        Assert.True(result.Failed);
        Assert.Contains(failure, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Defaults_Pass()
    {
        var result = new AgentOptionsValidator().Validate(null, new AgentOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal("/var/run/calico/felix-dataplane.sock", new AgentOptions().FelixSocket);
    }

    [Theory]
    [InlineData("move", true)]
    [InlineData("veth", true)]
    [InlineData("Veth", true)]
    [InlineData("bridge", false)]
    public void Validate_TapAttach_MoveOrVeth(string mode, bool valid)
    {
        var result = new AgentOptionsValidator().Validate(null, new AgentOptions { TapAttach = mode });

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains($"tapAttach: '{mode}' is not one of move, veth", result.FailureMessage, StringComparison.Ordinal);
        }
    }
}
