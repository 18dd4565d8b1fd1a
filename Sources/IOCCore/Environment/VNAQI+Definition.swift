extension VNAQI {
    /// How the index is computed, for the UI's definition of VN_AQI (QĐ 1459 Bảng 3 asks web and app
    /// channels to present the method in detail). It states the project's resolutions (environment.md
    /// A1–A12), including the daily completeness policy A9, which the decision leaves open.
    public static let definition: (vi: String, en: String) = (
        vi: """
            Chỉ số chất lượng không khí Việt Nam (VN_AQI) tính theo Quyết định 1459/QĐ-TCMT ngày 12/11/2019 \
            của Tổng cục Môi trường, riêng cho từng trạm quan trắc tự động liên tục, từ giá trị trung bình 1 giờ \
            của PM2.5, PM10, O3, CO, SO2 và NO2 (đơn vị µg/m³, kể cả CO).

            AQI giờ: PM2.5 và PM10 dùng giá trị Nowcast của 12 giờ gần nhất; O3, CO, SO2, NO2 dùng giá trị \
            của giờ hiện tại (O3 theo cột O3 1 giờ). AQI ngày: PM2.5 và PM10 dùng trung bình 24 giờ (01:00 đến \
            00:00 hôm sau); SO2, NO2, CO dùng giá trị 1 giờ lớn nhất trong ngày; O3 lấy giá trị lớn hơn giữa \
            AQI của trung bình 1 giờ lớn nhất (cột O3 1 giờ) và AQI của trung bình 8 giờ lớn nhất (cột O3 8 giờ). \
            AQI của mỗi thông số tính bằng nội suy tuyến tính theo Bảng 2; AQI là giá trị lớn nhất trong các \
            AQI thông số và chỉ được tính khi có ít nhất một trong hai thông số PM2.5, PM10.

            Những điểm văn bản chưa quy định rõ, hệ thống áp dụng như sau:
            • Làm tròn: làm tròn nửa lên (x,5 lên), trên giá trị chưa làm tròn; mức chất lượng và màu xác định \
            theo AQI đã làm tròn. (Ví dụ mẫu in AQI giờ = 60 nhưng tính đúng là 59,35 → 59.)
            • Nowcast: dùng công thức có chia tổng trọng số trong cả hai trường hợp w > 1/2 và w = 1/2; w* = \
            Cmin/Cmax tính trên các giờ có dữ liệu; không làm tròn w, Nowcast hay nồng độ. Cần ít nhất 2 trong \
            3 giờ gần nhất có dữ liệu; giờ thiếu có trọng số 0 và không được bù. Nếu mọi giờ bằng 0 thì Nowcast = 0.
            • Khí (O3, CO, SO2, NO2) thiếu giá trị giờ hiện tại: không tính AQI thông số đó, không dùng giờ trước.
            • Nồng độ bằng hoặc vượt mức cao nhất của Bảng 2 (dòng "≥"): AQI thông số = 500. O3 trung bình \
            8 giờ lớn nhất trên 400 µg/m³: không tính theo cột 8 giờ, chỉ tính theo trung bình 1 giờ lớn nhất.
            • Trung bình 8 giờ ghi tại giờ h là trung bình 8 giờ liên tiếp kết thúc tại h (từ h−7 đến h, có thể \
            lấy giờ của ngày hôm trước); mỗi ngày có 24 giá trị.
            • Đủ dữ liệu trong ngày: trung bình 24 giờ của PM2.5, PM10 cần ít nhất 18/24 giá trị giờ (75%) và \
            là trung bình các giờ có dữ liệu; mỗi trung bình 8 giờ của O3 cần ít nhất 6/8 giá trị giờ (75%) và là \
            trung bình các giờ có dữ liệu; giá trị 1 giờ lớn nhất trong ngày (SO2, NO2, CO, O3) lấy trên các giờ có \
            dữ liệu (ít nhất 1 giờ). Thiếu dữ liệu thì không tính AQI của thông số đó và ghi rõ lý do.
            • Thông số chính: thông số có AQI chưa làm tròn cao nhất; nếu bằng nhau, ưu tiên PM2.5, PM10, O3, \
            NO2, SO2, CO.
            • Giá trị âm hoặc không hợp lệ được coi là không có dữ liệu.
            """,
        en: """
            The Vietnamese air-quality index (VN_AQI) follows Decision 1459/QĐ-TCMT of 12 November 2019 of the \
            Vietnam Environment Administration. It is computed per continuous automatic station from the \
            1-hour means of PM2.5, PM10, O3, CO, SO2 and NO2 (all in µg/m³, CO included).

            Hourly AQI: PM2.5 and PM10 use the NowCast of the last 12 hours; O3, CO, SO2 and NO2 use the current \
            hour (O3 against the O3 1-hour column). Daily AQI: PM2.5 and PM10 use the 24-hour mean (01:00 to \
            00:00 of the next day); SO2, NO2 and CO use the day's largest 1-hour value; O3 takes the larger of the \
            sub-index of the largest 1-hour value (1-hour column) and that of the largest 8-hour mean (8-hour \
            column). Each sub-index is a linear interpolation in Table 2; the AQI is the largest sub-index, and \
            exists only when PM2.5 or PM10 has one.

            Where the decision is silent, this system applies:
            • Rounding: half-up (x.5 goes up) on the unrounded value; the category and colour follow the rounded \
            AQI. (The decision's hourly example prints 60; the exact value is 59.35 → 59.)
            • NowCast: the weight-normalised formula in both the w > 1/2 and the w = 1/2 case; w* = Cmin/Cmax over \
            the hours present; w, the NowCast and concentrations are not rounded. At least 2 of the 3 most recent \
            hours are required; a missing hour gets weight 0 and is never filled in. All hours zero → NowCast 0.
            • A gas (O3, CO, SO2, NO2) whose current hour is missing has no sub-index; earlier hours are not \
            carried forward.
            • At or above the top breakpoint of Table 2 (the "≥" row) a sub-index is 500. When the day's largest \
            8-hour O3 mean exceeds 400 µg/m³, the 8-hour column is not used and O3 is indexed from its largest \
            1-hour value only.
            • The 8-hour mean labelled hour h is the mean of the 8 consecutive hours ending at h (h−7 to h, \
            reaching into the previous day); a day has 24 of them.
            • Daily completeness: the 24-hour PM2.5 and PM10 mean needs at least 18 of the 24 hourly values (75 %) \
            and averages the hours present; each 8-hour O3 mean needs at least 6 of its 8 hourly values (75 %) and \
            averages the hours present; the day's largest 1-hour value (SO2, NO2, CO, O3) is taken over the hours \
            present (at least one). A parameter short of data has no sub-index, and the reason is shown.
            • Dominant parameter: the highest unrounded sub-index; on an exact tie PM2.5, then PM10, O3, NO2, \
            SO2, CO.
            • Negative or invalid values count as missing.
            """
    )
}
