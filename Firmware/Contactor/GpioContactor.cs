using System.Device.Gpio;
using ChargeManager.Distribution.Contactor;

namespace ChargeManager.Firmware.Contactor
{
    /// <summary>
    /// The contactor on the board's pins: the relay output drives the coil (high = energised = three
    /// phases); the feedback input reads the auxiliary contact, which pulls the input low when the
    /// contactor is closed. Glue only: the sequence and its checks are the core's PhaseSwitcher.
    /// </summary>
    public sealed class GpioContactor : IContactor
    {
        readonly GpioPin relay;
        readonly GpioPin feedback;

        public GpioContactor(GpioController gpio, int relayPin, int feedbackPin)
        {
            relay = gpio.OpenPin(relayPin, PinMode.Output);
            feedback = gpio.OpenPin(feedbackPin, PinMode.InputPullUp);
        }

        /// <summary>Releases both pins (board/config moved the contactor). The relay is left as it is.</summary>
        public void Close()
        {
            relay.Dispose();
            feedback.Dispose();
        }

        public void SetRelay(bool threePhases)
        {
            relay.Write(threePhases ? PinValue.High : PinValue.Low);
        }

        public bool FeedbackThreePhases
        {
            get { return feedback.Read() == PinValue.Low; }
        }
    }
}
