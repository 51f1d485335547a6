/// Card ids as people see them in a report: all but the last four characters hidden.
package enum CardMask {
    /// `****` followed by the last four characters of `cardID`; ids shorter than eight characters are hidden
    /// entirely (`****`), since their last four would give most of them away.
    ///
    /// The mask has a fixed width, so it tells nothing about the id's length either.
    package static func mask(_ cardID: String) -> String {
        guard cardID.count >= 8 else { return "****" }
        return "****" + cardID.suffix(4)
    }
}
