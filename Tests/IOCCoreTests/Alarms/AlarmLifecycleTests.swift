import IOCCore
import Testing

@Suite struct AlarmLifecycleTests {
    @Test func personsActionsFollowTheLifecycle() {
        #expect(AlarmLifecycle.next(.acknowledge, from: .active) == .acknowledged)
        #expect(AlarmLifecycle.next(.acknowledge, from: .acknowledged) == nil)
        #expect(AlarmLifecycle.next(.acknowledge, from: .cleared) == nil)
        // Assigning takes the alarm on: an active one becomes acknowledged.
        #expect(AlarmLifecycle.next(.assign, from: .active) == .acknowledged)
        #expect(AlarmLifecycle.next(.assign, from: .acknowledged) == .acknowledged)
        #expect(AlarmLifecycle.next(.assign, from: .cleared) == nil)
        #expect(AlarmLifecycle.next(.clear, from: .active) == .cleared)
        #expect(AlarmLifecycle.next(.clear, from: .acknowledged) == .cleared)
        #expect(AlarmLifecycle.next(.clear, from: .cleared) == nil)
        // A comment never changes the state, and is possible even after the end.
        for s in AlarmState.allCases { #expect(AlarmLifecycle.next(.comment, from: s) == s) }
    }

    @Test func availableActions() {
        #expect(AlarmLifecycle.actions(in: .active) == [.acknowledge, .assign, .comment, .clear])
        #expect(AlarmLifecycle.actions(in: .acknowledged) == [.assign, .comment, .clear])
        #expect(AlarmLifecycle.actions(in: .cleared) == [.comment])
        #expect(!AlarmState.cleared.isOpen && AlarmState.active.isOpen && AlarmState.acknowledged.isOpen)
    }

    @Test func eventsRaiseRepeatAndClear() {
        // Info events never raise; minor ones need a key; major and critical raise without one.
        #expect(AlarmLifecycle.effect(severity: .info, hasKey: true, clear: false, open: nil) == .none)
        #expect(AlarmLifecycle.effect(severity: .minor, hasKey: false, clear: false, open: nil) == .none)
        #expect(AlarmLifecycle.effect(severity: .minor, hasKey: true, clear: false, open: nil) == .raise)
        #expect(AlarmLifecycle.effect(severity: .major, hasKey: false, clear: false, open: nil) == .raise)
        #expect(AlarmLifecycle.effect(severity: .critical, hasKey: false, clear: false, open: nil) == .raise)
        // Repeats: severity only rises.
        #expect(AlarmLifecycle.effect(severity: .minor, hasKey: true, clear: false, open: .critical) == .repeated(severity: .critical))
        #expect(AlarmLifecycle.effect(severity: .critical, hasKey: true, clear: false, open: .minor) == .repeated(severity: .critical))
        // An all-clear clears an open alarm and does nothing without one.
        #expect(AlarmLifecycle.effect(severity: .info, hasKey: true, clear: true, open: .major) == .clear)
        #expect(AlarmLifecycle.effect(severity: .info, hasKey: true, clear: true, open: nil) == .none)
    }

    @Test func urgencyOrder() {
        let order = [(AlarmState.acknowledged, AlarmSeverity.critical), (.active, .minor), (.active, .critical), (.acknowledged, .minor)]
            .sorted { AlarmLifecycle.urgency(state: $0.0, severity: $0.1) < AlarmLifecycle.urgency(state: $1.0, severity: $1.1) }
        #expect(order.map(\.0) == [.active, .active, .acknowledged, .acknowledged])
        #expect(order.map(\.1) == [.critical, .minor, .critical, .minor])
    }
}
